import type { Executor } from '../db/executor.ts';
import type { JournalRow } from '../db/schema.ts';

export async function insertJournalEntry(db: Executor, row: JournalRow): Promise<void> {
  await db.insertInto('identity_journal').values(row).execute();
}

/** Newest first, before the cursor (an entry id). */
export async function listJournal(
  db: Executor,
  userIds: readonly string[],
  before: string | undefined,
  limit: number,
): Promise<JournalRow[]> {
  if (userIds.length === 0) return [];
  let query = db.selectFrom('identity_journal').selectAll().where('user_id', 'in', userIds);
  if (before) query = query.where('id', '<', before);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** Erasure: the journal names identities and names, so it goes with the users it describes. */
export async function deleteJournalOf(db: Executor, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.deleteFrom('identity_journal').where('user_id', 'in', userIds).execute();
}
