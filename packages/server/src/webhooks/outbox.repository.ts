import type { Executor } from '../db/executor.ts';
import type { WebhookDeliveryRow, WebhookEventRow } from '../db/schema.ts';

export type NewWebhookEvent = Omit<WebhookEventRow, 'seq'>;
export type OutboxEvent = Omit<WebhookEventRow, 'seq'> & { seq: number };

export async function insertWebhookEvents(db: Executor, rows: NewWebhookEvent[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db.insertInto('webhook_events').values(rows).returning('seq').execute();
  return inserted.map((r) => Number(r.seq));
}

/** The oldest events no delivery exists for yet; on PostgreSQL rows another node holds are skipped. */
export async function takeUnfannedEvents(
  db: Executor,
  limit: number,
  postgres: boolean,
): Promise<Pick<OutboxEvent, 'seq' | 'type' | 'created_at'>[]> {
  let query = db
    .selectFrom('webhook_events')
    .select(['seq', 'type', 'created_at'])
    .where('fanned_out', '=', 0)
    .orderBy('seq')
    .limit(limit);
  if (postgres) query = query.forUpdate().skipLocked();
  return (await query.execute()).map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function markFannedOut(db: Executor, seqs: number[]): Promise<void> {
  for (let i = 0; i < seqs.length; i += 500) {
    await db
      .updateTable('webhook_events')
      .set({ fanned_out: 1 })
      .where('seq', 'in', seqs.slice(i, i + 500))
      .execute();
  }
}

/** New deliveries; one that already exists for (endpoint, event) is left as it is. */
export async function insertDeliveries(db: Executor, rows: WebhookDeliveryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['endpoint_id', 'event_seq']).doNothing())
      .execute();
  }
}

/** Queued again from now (a replay or a test): an existing delivery starts over, same id. */
export async function requeueDeliveries(db: Executor, rows: WebhookDeliveryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) =>
        oc.columns(['endpoint_id', 'event_seq']).doUpdateSet((eb) => ({
          status: 'pending',
          attempt_count: 0,
          next_attempt_at: eb.ref('excluded.next_attempt_at'),
          lease_until: null,
          lease_owner: null,
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/**
 * Due deliveries of enabled endpoints, oldest first, skipping the endpoints this node
 * already keeps busy and, on PostgreSQL, rows another node is claiming right now.
 */
export async function dueDeliveries(
  db: Executor,
  now: number,
  busyEndpoints: string[],
  limit: number,
  postgres: boolean,
): Promise<Pick<WebhookDeliveryRow, 'id' | 'endpoint_id'>[]> {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select(['d.id', 'd.endpoint_id'])
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<', now)]))
    .where('e.enabled', '=', 1)
    .orderBy('d.next_attempt_at')
    .limit(limit);
  if (busyEndpoints.length > 0) query = query.where('d.endpoint_id', 'not in', busyEndpoints);
  if (postgres) query = query.forUpdate('d').skipLocked();
  return query.execute();
}

export async function leaseDeliveries(
  db: Executor,
  ids: string[],
  owner: string,
  until: number,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_deliveries')
    .set({ lease_owner: owner, lease_until: until })
    .where('id', 'in', ids)
    .execute();
}

export type DeliveryToSend = WebhookDeliveryRow & {
  event_id: string;
  event_type: string;
  event_data: string;
  event_created_at: number;
};

export async function findDeliveriesToSend(db: Executor, ids: string[]): Promise<DeliveryToSend[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as v', 'v.seq', 'd.event_seq')
    .selectAll('d')
    .select([
      'v.id as event_id',
      'v.type as event_type',
      'v.data as event_data',
      'v.created_at as event_created_at',
    ])
    .where('d.id', 'in', ids)
    .execute();
  return rows.map((row) => ({ ...row, event_seq: Number(row.event_seq) }));
}

/** Deliveries whose event was erased: nothing is left to send. */
export async function dropDeliveries(db: Executor, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
}

/** Settles an attempt if this node still holds the lease; false when another node took over. */
export async function settleDelivery(
  db: Executor,
  id: string,
  owner: string,
  changes: Pick<WebhookDeliveryRow, 'status' | 'attempt_count' | 'next_attempt_at' | 'updated_at'>,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ ...changes, lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
