import { sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import type { ConversationRow, MessageRow } from '../db/schema.ts';

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

/** One user's conversations, newest first, strictly before `before` (a conversation id). */
export async function listClientConversations(
  db: Executor,
  userId: string,
  before: string | undefined,
  limit: number,
): Promise<ConversationRow[]> {
  let query = db.selectFrom('conversations').selectAll().where('user_id', '=', userId);
  if (before !== undefined) query = query.where('id', '<', before);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/**
 * The newest `perConversation` messages of each conversation, in one query (a window
 * over the conversation's messages by id, newest first), oldest first within each.
 */
export async function listNewestMessages(
  db: Executor,
  conversationIds: readonly string[],
  perConversation: number,
): Promise<Map<string, MessageRow[]>> {
  const byConversation = new Map<string, MessageRow[]>(conversationIds.map((id) => [id, []]));
  if (conversationIds.length === 0) return byConversation;
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('messages')
        .selectAll()
        .select(sql<number>`row_number() over (partition by conversation_id order by id desc)`.as('rank'))
        .where('conversation_id', 'in', conversationIds)
        .as('ranked'),
    )
    .selectAll()
    .where('rank', '<=', perConversation)
    .orderBy('id')
    .execute();
  for (const { rank: _rank, ...row } of rows) byConversation.get(row.conversation_id)?.push(row);
  return byConversation;
}
