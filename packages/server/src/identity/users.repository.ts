import { PostgresAdapter, sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import type { IdentityRow, UserRow } from '../db/schema.ts';

export type NewUser = Pick<UserRow, 'id' | 'name' | 'anonymous' | 'created_at'>;

export async function insertUser(db: Executor, user: NewUser): Promise<UserRow> {
  const row: UserRow = {
    ...user,
    authenticated: 0,
    last_authenticated_at: null,
    merged_into: null,
    erased_at: null,
    tags: '[]',
    updated_at: user.created_at,
  };
  await db.insertInto('users').values(row).execute();
  return row;
}

export async function findUser(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUsers(db: Executor, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

export async function updateUser(
  db: Executor,
  id: string,
  patch: Partial<
    Pick<UserRow, 'name' | 'authenticated' | 'last_authenticated_at' | 'merged_into' | 'erased_at' | 'tags'>
  > & {
    updated_at: number;
  },
): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
}

/** The tombstones merged into a user (kept one hop from it). */
export async function listTombstonesOf(db: Executor, userId: string): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('merged_into', '=', userId).execute();
}

/** Users merged into `from` now point at `to`, so every tombstone is one hop from a survivor. */
export async function repointTombstones(
  db: Executor,
  from: string,
  to: string,
  now: number,
): Promise<string[]> {
  const rows = await db
    .updateTable('users')
    .set({ merged_into: to, updated_at: now })
    .where('merged_into', '=', from)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Live users in the directory: those holding an external id or a verified email (IDENTITY.md §3.4). */
export async function listUsers(db: Executor, before: string | undefined, limit: number): Promise<UserRow[]> {
  let query = db
    .selectFrom('users')
    .selectAll()
    .where('merged_into', 'is', null)
    .where('erased_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('identities')
          .select('identities.id')
          .whereRef('identities.user_id', '=', 'users.id')
          .where((i) => i.or([i('identities.type', '=', 'external_id'), i('identities.verified', '=', 1)])),
      ),
    );
  if (before) query = query.where('id', '<', before);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function findIdentityHolder(
  db: Executor,
  type: IdentityRow['type'],
  normalized: string,
  options: { verifiedOnly: boolean },
): Promise<IdentityRow | undefined> {
  let query = db
    .selectFrom('identities')
    .selectAll()
    .where('type', '=', type)
    .where('normalized', '=', normalized);
  if (options.verifiedOnly) query = query.where('verified', '=', 1);
  return query.executeTakeFirst();
}

/** Every identity with this value, verified holders first. */
export async function findIdentitiesByValue(
  db: Executor,
  type: IdentityRow['type'],
  normalized: string,
): Promise<IdentityRow[]> {
  return db
    .selectFrom('identities')
    .selectAll()
    .where('type', '=', type)
    .where('normalized', '=', normalized)
    .orderBy('verified', 'desc')
    .orderBy('id')
    .execute();
}

export async function listIdentities(db: Executor, userIds: readonly string[]): Promise<IdentityRow[]> {
  if (userIds.length === 0) return [];
  return db.selectFrom('identities').selectAll().where('user_id', 'in', userIds).orderBy('id').execute();
}

export async function insertIdentity(db: Executor, identity: IdentityRow): Promise<void> {
  await db.insertInto('identities').values(identity).execute();
}

export async function updateIdentity(
  db: Executor,
  id: string,
  patch: Partial<
    Pick<IdentityRow, 'verified' | 'is_primary' | 'source' | 'value' | 'normalized' | 'user_id'>
  >,
): Promise<void> {
  await db.updateTable('identities').set(patch).where('id', '=', id).execute();
}

export async function deleteIdentity(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('identities').where('id', '=', id).execute();
}

export async function deleteIdentitiesOf(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('identities').where('user_id', '=', userId).execute();
}

/**
 * Serializes writers for one user inside a transaction (first message creating the
 * conversation, say). PostgreSQL locks the row and answers with it as it is once locked
 * (a writer that held the lock has committed by then); SQLite has a single writer
 * already, and answers undefined: read the user when it is needed.
 */
export async function lockUser(db: Executor, id: string): Promise<UserRow | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  return db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * `lockUser` for several users in one statement, in id order (every batch takes its
 * locks in the same order), answering with the rows as they are once locked. SQLite has
 * one writer: the rows are read as they are.
 */
export async function lockUsers(db: Executor, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  const query = db.selectFrom('users').selectAll().where('id', 'in', ids).orderBy('id');
  return db.getExecutor().adapter instanceof PostgresAdapter ? query.forUpdate().execute() : query.execute();
}

/** Live users whose name, email or external id contains `text` (case-insensitive), newest first. */
export async function searchUserIds(db: Executor, text: string, limit: number): Promise<string[]> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const byName = db
    .selectFrom('users')
    .select('id')
    .where(sql<string>`lower(name)`, 'like', sql<string>`${pattern} escape '\\'`)
    .where('merged_into', 'is', null);
  const byIdentity = db
    .selectFrom('identities')
    .select('user_id as id')
    .where(sql<string>`lower(value)`, 'like', sql<string>`${pattern} escape '\\'`);
  const rows = await byName.union(byIdentity).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function findIdentity(db: Executor, id: string): Promise<IdentityRow | undefined> {
  return db.selectFrom('identities').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Undoing a merge: tombstones once merged into `from` point at it again. */
export async function pointTombstonesAt(
  db: Executor,
  ids: readonly string[],
  from: string,
  to: string,
  now: number,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('users')
    .set({ merged_into: to, updated_at: now })
    .where('id', 'in', ids)
    .where('merged_into', '=', from)
    .execute();
}
