import { PostgresAdapter, sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import type { EventRow } from '../db/schema.ts';

export type StoredEventRow = Omit<EventRow, 'id'> & { id: number };

/**
 * Appends to the event log inside the caller's transaction and returns the cursors, in
 * the rows' order, and whether any webhook endpoint exists (so the caller knows whether
 * the same events go to the webhook outbox, without asking in a statement of its own).
 * On PostgreSQL a transaction-level advisory lock makes cursors commit in order, so a
 * reader that has seen cursor N never later finds an N-1 appear behind it; the lock, the
 * insert and the question are one statement, one round trip. Call it last in the
 * transaction: the lock is held until commit.
 */
export async function appendEvents(
  db: Executor,
  rows: Omit<EventRow, 'id'>[],
): Promise<{ cursors: number[]; webhooks: boolean }> {
  if (rows.length === 0) return { cursors: [], webhooks: false };
  const inserted =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await appendUnderLock(db, rows)).rows
      : await db
          .insertInto('events')
          .values(rows)
          .returning(['id', sql<boolean>`exists (select 1 from webhook_endpoints)`.as('webhooks')])
          .execute();
  // One statement (under the lock): its ids are consecutive and follow the rows' order,
  // but RETURNING promises no order, so they are matched up sorted.
  return {
    cursors: inserted.map((row) => Number(row.id)).sort((a, b) => a - b),
    webhooks: Boolean(inserted[0]!.webhooks),
  };
}

/**
 * The lock comes first: every inserted row needs the `lock` row to exist, and its id
 * (the sequence) is drawn only once that row is there.
 */
function appendUnderLock(db: Executor, rows: Omit<EventRow, 'id'>[]) {
  const values = sql.join(
    rows.map(
      (r) =>
        sql`(${r.user_id}::text, ${r.inbox}::integer, ${r.type}::text, ${r.payload}::text, ${r.created_at}::bigint)`,
    ),
  );
  return sql<{ id: number; webhooks: boolean }>`
    with lock as (select pg_advisory_xact_lock(${EVENT_LOG_LOCK}))
    insert into events (user_id, inbox, type, payload, created_at)
    select v.user_id, v.inbox, v.type, v.payload, v.created_at
    from lock, (values ${values}) as v (user_id, inbox, type, payload, created_at)
    returning id, exists (select 1 from webhook_endpoints) as webhooks`.execute(db);
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
  return (await eventsAfter(db, { audience, since }, limit).execute()) as StoredEventRow[];
}

export type EventsQuery = { audience: Audience; since: number };

/**
 * `listEventsAfter` for several audiences in one statement (one round trip to the
 * database instead of one each); answers in the order of `queries`.
 */
export async function listEventsAfterEach(
  db: Executor,
  queries: readonly EventsQuery[],
  limit: number,
): Promise<StoredEventRow[][]> {
  if (queries.length === 1)
    return [await listEventsAfter(db, queries[0]!.audience, queries[0]!.since, limit)];
  const [first, ...rest] = queries.map((query, i) =>
    db
      .selectFrom(eventsAfter(db, query, limit).as('e'))
      .selectAll()
      .select(sql.lit(i).as('query')),
  );
  const rows = await rest.reduce((union, part) => union.unionAll(part), first!).execute();
  const answers: StoredEventRow[][] = queries.map(() => []);
  for (const { query, ...row } of rows) answers[Number(query)]!.push(row as StoredEventRow);
  // UNION ALL promises no order.
  for (const answer of answers) answer.sort((a, b) => a.id - b.id);
  return answers;
}

function eventsAfter(db: Executor, { audience, since }: EventsQuery, limit: number) {
  let query = db.selectFrom('events').selectAll().where('id', '>', since);
  query = 'inbox' in audience ? query.where('inbox', '=', 1) : query.where('user_id', 'in', audience.userIds);
  return query.orderBy('id').limit(limit);
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
