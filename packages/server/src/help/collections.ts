import type { Collection, CreateCollectionBody, UpdateCollectionBody } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import {
  countArticlesIn,
  deleteCollectionRow,
  findCollection,
  insertCollection,
  listCollections as listRows,
  updateCollectionRow,
} from './collections.repository.ts';
import { collectionView } from './views.ts';

export async function createCollection(ctx: AppContext, input: CreateCollectionBody): Promise<Collection> {
  const now = ctx.now();
  const row = {
    id: newId(now),
    title: input.title,
    description: input.description ?? '',
    position: input.position ?? 0,
    created_at: now,
    updated_at: now,
  };
  await insertCollection(ctx.storage.db, row);
  return collectionView(row);
}

export async function listCollections(ctx: AppContext): Promise<Collection[]> {
  return (await listRows(ctx.storage.db)).map(collectionView);
}

export async function updateCollection(
  ctx: AppContext,
  id: string,
  input: UpdateCollectionBody,
): Promise<Collection> {
  const db = ctx.storage.db;
  if (!(await findCollection(db, id))) throw new AppError('not_found', 'no such collection');
  await updateCollectionRow(db, id, { ...input, updated_at: ctx.now() });
  return collectionView((await findCollection(db, id))!);
}

/** A collection that still holds articles is kept: deleting it would orphan them. */
export async function deleteCollection(ctx: AppContext, id: string): Promise<void> {
  await ctx.storage.db.transaction().execute(async (trx) => {
    if (!(await findCollection(trx, id))) throw new AppError('not_found', 'no such collection');
    if ((await countArticlesIn(trx, id)) > 0)
      throw new AppError('collection_not_empty', 'move or delete its articles first');
    await deleteCollectionRow(trx, id);
  });
}
