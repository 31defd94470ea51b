import type { Executor } from '../db/executor.ts';

/**
 * Moves every conversation, message and stored event of one user to another
 * (IDENTITY.md §3.4), so the survivor's devices replay the whole history.
 */
export async function moveHistory(db: Executor, fromUserId: string, toUserId: string): Promise<number> {
  const moved = await db
    .updateTable('conversations')
    .set({ user_id: toUserId })
    .where('user_id', '=', fromUserId)
    .executeTakeFirst();
  await db.updateTable('messages').set({ user_id: toUserId }).where('user_id', '=', fromUserId).execute();
  await db
    .updateTable('messages')
    .set({ author_id: toUserId })
    .where('author_type', '=', 'user')
    .where('author_id', '=', fromUserId)
    .execute();
  await db.updateTable('events').set({ user_id: toUserId }).where('user_id', '=', fromUserId).execute();
  return Number(moved.numUpdatedRows);
}

/** Right to erasure: message text goes, the fact that a message existed stays. */
export async function eraseMessageText(db: Executor, userId: string): Promise<void> {
  await db
    .updateTable('messages')
    .set({ text: '' })
    .where('user_id', '=', userId)
    .where('author_type', '=', 'user')
    .execute();
}
