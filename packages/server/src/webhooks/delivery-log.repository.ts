import type { Executor } from '../db/executor.ts';
import type { WebhookAttemptRow, WebhookDeliveryRow } from '../db/schema.ts';

export async function insertAttempts(db: Executor, rows: WebhookAttemptRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100)
    await db
      .insertInto('webhook_attempts')
      .values(rows.slice(i, i + 100))
      .execute();
}

export type LoggedDelivery = WebhookDeliveryRow & { event_id: string; event_type: string };

/** An endpoint's deliveries, newest first, before a delivery id (the cursor). */
export async function listDeliveries(
  db: Executor,
  endpointId: string,
  filter: {
    status?: WebhookDeliveryRow['status'] | undefined;
    before?: string | undefined;
    id?: string;
    limit: number;
  },
): Promise<LoggedDelivery[]> {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as v', 'v.seq', 'd.event_seq')
    .selectAll('d')
    .select(['v.id as event_id', 'v.type as event_type'])
    .where('d.endpoint_id', '=', endpointId)
    .orderBy('d.id', 'desc')
    .limit(filter.limit);
  if (filter.status) query = query.where('d.status', '=', filter.status);
  if (filter.before) query = query.where('d.id', '<', filter.before);
  if (filter.id) query = query.where('d.id', '=', filter.id);
  return (await query.execute()).map((r) => ({ ...r, event_seq: Number(r.event_seq) }));
}

export async function listAttempts(db: Executor, deliveryIds: string[]): Promise<WebhookAttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function findDelivery(
  db: Executor,
  endpointId: string,
  id: string,
): Promise<WebhookDeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', id)
    .where('endpoint_id', '=', endpointId)
    .executeTakeFirst();
}

/** A retry asked for by hand: due now, whatever its state. */
export async function retryDeliveryNow(db: Executor, id: string, now: number): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: now, lease_owner: null, lease_until: null, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** Events in [since, until) for a replay, oldest first. Test events are never replayed. */
export async function eventsBetween(
  db: Executor,
  since: number,
  until: number,
  limit: number,
): Promise<{ seq: number; type: string }[]> {
  const rows = await db
    .selectFrom('webhook_events')
    .select(['seq', 'type'])
    .where('created_at', '>=', since)
    .where('created_at', '<', until)
    .where('type', '!=', 'webhook.test')
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), type: r.type }));
}

/** Erasure: events about these users go, and with them whatever was still to be sent. */
export async function forgetWebhookEventsOfUsers(db: Executor, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  const seqs = db.selectFrom('webhook_events').select('seq').where('user_id', 'in', userIds);
  await db.deleteFrom('webhook_deliveries').where('event_seq', 'in', seqs).execute();
  await db.deleteFrom('webhook_events').where('user_id', 'in', userIds).execute();
}

/** Retention: delivered or failed history and fanned-out events older than `before`. */
export async function pruneWebhookHistory(db: Executor, before: number): Promise<void> {
  await db.deleteFrom('webhook_attempts').where('at', '<', before).execute();
  await db
    .deleteFrom('webhook_deliveries')
    .where('created_at', '<', before)
    .where('status', '!=', 'pending')
    .execute();
  await db
    .deleteFrom('webhook_events')
    .where('created_at', '<', before)
    .where('fanned_out', '=', 1)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('webhook_deliveries as d')
            .select('d.id')
            .whereRef('d.event_seq', '=', 'webhook_events.seq'),
        ),
      ),
    )
    .execute();
}
