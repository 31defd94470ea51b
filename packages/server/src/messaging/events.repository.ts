import { PostgresAdapter, sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import type { EventRow } from '../db/schema.ts';

export type StoredEventRow = Omit<EventRow, 'id'> & { id: number };

/**
 * Appends to the event log inside the caller's transaction and returns the cursors, in
 * the rows' order. On PostgreSQL a transaction-level advisory lock makes cursors commit
 * in order, so a reader that has seen cursor N never later finds an N-1 appear behind
 * it. Call it last in the transaction: the lock is held until commit.
 */
export async function appendEvents(db: Executor, rows: Omit<EventRow, 'id'>[]): Promise<number[]> {
  if (rows.length === 0) return [];
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(${EVENT_LOG_LOCK})`.execute(db);
  }
  const inserted = await db.insertInto('events').values(rows).returning('id').execute();
  // One statement under the lock: its ids are consecutive and follow the rows' order, but
  // RETURNING promises no order, so they are matched up sorted.
  return inserted.map((row) => Number(row.id)).sort((a, b) => a - b);
}

const EVENT_LOG_LOCK = 0x5167_6e74;

export type Audience = { userIds: readonly string[] } | { inbox: true };

/** Events after `since` for these users (or the inbox), oldest first, at most `limit`. */
export async function listEventsAfter(
  db: Executor,
  audience: Audience,
  since: number,
  limit: number,
): Promise<StoredEventRow[]> {
  let query = db.selectFrom('events').selectAll().where('id', '>', since);
  query = 'inbox' in audience ? query.where('inbox', '=', 1) : query.where('user_id', 'in', audience.userIds);
  return (await query.orderBy('id').limit(limit).execute()) as StoredEventRow[];
}

export async function latestEventId(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('max'))
    .executeTakeFirst();
  return Number(row?.max ?? 0);
}

/** Erasure: stored events carry message text, so a user's events go with their messages' text. */
export async function deleteEventsOfUser(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('events').where('user_id', '=', userId).execute();
}
