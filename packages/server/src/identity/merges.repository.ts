import type { Executor } from '../db/executor.ts';
import type { MergeRow } from '../db/schema.ts';

export async function insertMerge(db: Executor, row: MergeRow): Promise<void> {
  await db.insertInto('merges').values(row).execute();
}

/** Merges in which any of these users took part, oldest first. */
export async function listMergesOfUsers(db: Executor, userIds: readonly string[]): Promise<MergeRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('merges')
    .selectAll()
    .where((eb) => eb.or([eb('from_user_id', 'in', userIds), eb('into_user_id', 'in', userIds)]))
    .orderBy('id')
    .execute();
}

/** Erasure: a merge record names identities, so it goes with the users it describes. */
export async function deleteMergesOfUsers(db: Executor, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .deleteFrom('merges')
    .where((eb) => eb.or([eb('from_user_id', 'in', userIds), eb('into_user_id', 'in', userIds)]))
    .execute();
}

/** The latest merge of `fromUserId` into anyone. */
export async function findLatestMergeOf(db: Executor, fromUserId: string): Promise<MergeRow | undefined> {
  return db
    .selectFrom('merges')
    .selectAll()
    .where('from_user_id', '=', fromUserId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function deleteMerge(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('merges').where('id', '=', id).execute();
}
