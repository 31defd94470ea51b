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
/**
 * Erasure (IDENTITY.md §8): the rows of these users, and the failed attempts that named
 * their external ids, lose IP, user agent and external id; time and outcome stay.
 */
export async function forgetAuthEvents(
  db: Executor,
  userIds: readonly string[],
  externalIds: readonly string[],
): Promise<void> {
  const scrub = { external_id: null, ip: null, user_agent: null };
  if (userIds.length > 0)
    await db.updateTable('auth_events').set(scrub).where('user_id', 'in', userIds).execute();
  if (externalIds.length > 0)
    await db.updateTable('auth_events').set(scrub).where('external_id', 'in', externalIds).execute();
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
