import type { Executor } from '../db/executor.ts';
import type { HelpCollectionRow } from '../db/schema.ts';

export async function insertCollection(db: Executor, row: HelpCollectionRow): Promise<void> {
  await db.insertInto('help_collections').values(row).execute();
}

export async function listCollections(db: Executor): Promise<HelpCollectionRow[]> {
  return db.selectFrom('help_collections').selectAll().orderBy('position').orderBy('id').execute();
}

export async function findCollection(db: Executor, id: string): Promise<HelpCollectionRow | undefined> {
  return db.selectFrom('help_collections').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateCollectionRow(
  db: Executor,
  id: string,
  changes: Partial<Omit<HelpCollectionRow, 'id' | 'created_at'>>,
): Promise<void> {
  await db.updateTable('help_collections').set(changes).where('id', '=', id).execute();
}

export async function deleteCollectionRow(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('help_collections').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function countArticlesIn(db: Executor, collectionId: string): Promise<number> {
  const row = await db
    .selectFrom('help_articles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('collection_id', '=', collectionId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
