import type { Executor } from '../db/executor.ts';
import type { WebhookEndpointRow } from '../db/schema.ts';

export async function insertEndpoint(db: Executor, row: WebhookEndpointRow): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

export async function findEndpoint(db: Executor, id: string): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listEndpoints(db: Executor): Promise<WebhookEndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function listEnabledEndpoints(
  db: Executor,
): Promise<Pick<WebhookEndpointRow, 'id' | 'events' | 'created_at'>[]> {
  return db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events', 'created_at'])
    .where('enabled', '=', 1)
    .execute();
}

/** Whether any endpoint exists: without one, changes write no outbox rows at all. */
export async function anyEndpoint(db: Executor): Promise<boolean> {
  return (await db.selectFrom('webhook_endpoints').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function updateEndpoint(
  db: Executor,
  id: string,
  changes: Partial<Omit<WebhookEndpointRow, 'id'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set(changes)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The endpoint and everything it was sent. */
export async function deleteEndpoint(db: Executor, id: string): Promise<boolean> {
  await db.deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
  await db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** A failure: remember when failing began; returns the endpoint's failing_since after it. */
export async function noteFailure(db: Executor, id: string, now: number): Promise<number | null> {
  await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: now })
    .where('id', '=', id)
    .where('failing_since', 'is', null)
    .execute();
  const row = await db
    .selectFrom('webhook_endpoints')
    .select('failing_since')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.failing_since ?? null;
}

export async function noteSuccess(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: null })
    .where('id', '=', id)
    .where('failing_since', 'is not', null)
    .execute();
}

export async function disableEndpoint(
  db: Executor,
  id: string,
  reason: 'gone' | 'failing',
  now: number,
): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ enabled: 0, disabled_reason: reason, disabled_at: now, updated_at: now })
    .where('id', '=', id)
    .where('enabled', '=', 1)
    .execute();
}
