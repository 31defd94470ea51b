import { sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import type { AuthEventRow } from '../db/schema.ts';

export async function insertAuthEvent(db: Executor, row: AuthEventRow): Promise<void> {
  await db.insertInto('auth_events').values(row).execute();
}

export type AuthEventFilter = {
  outcome?: string | undefined;
  kid?: string | undefined;
  externalId?: string | undefined;
  userId?: string | undefined;
  before?: string | undefined;
  limit: number;
};

export async function listAuthEvents(db: Executor, filter: AuthEventFilter): Promise<AuthEventRow[]> {
  let query = db.selectFrom('auth_events').selectAll();
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  if (filter.kid) query = query.where('kid', '=', filter.kid);
  if (filter.externalId) query = query.where('external_id', '=', filter.externalId);
  if (filter.userId) query = query.where('user_id', '=', filter.userId);
  if (filter.before) query = query.where('id', '<', filter.before);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}

/** Erasure: the log keeps that a login happened, not whose external id it carried. */
export async function forgetAuthEventsOfUser(db: Executor, userId: string): Promise<void> {
  await db.updateTable('auth_events').set({ external_id: null }).where('user_id', '=', userId).execute();
}

/** Login attempts per outcome per time bucket since `since`, for the auth log's chart. */
export async function countAuthEventsByBucket(
  db: Executor,
  since: number,
  bucketMs: number,
): Promise<{ bucket: number; outcome: string; n: number }[]> {
  const rows = await db
    .selectFrom('auth_events')
    .select((eb) => [
      sql<number>`floor(${eb.ref('created_at')} / ${bucketMs})`.as('bucket'),
      'outcome',
      eb.fn.countAll<number>().as('n'),
    ])
    .where('created_at', '>=', since)
    .groupBy(['bucket', 'outcome'])
    .execute();
  return rows.map((r) => ({ bucket: Number(r.bucket), outcome: r.outcome, n: Number(r.n) }));
}
