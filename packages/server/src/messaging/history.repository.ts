import { sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import type { ConversationRow, MessageRow } from '../db/schema.ts';

/**
 * Moves every conversation, message and stored event of one user to another
 * (IDENTITY.md §3.4), so the survivor's devices replay the whole history.
 */
export async function moveHistory(
  db: Executor,
  fromUserId: string,
  toUserId: string,
): Promise<{ conversationIds: string[]; messages: number }> {
  const conversations = await db
    .updateTable('conversations')
    .set({ user_id: toUserId })
    .where('user_id', '=', fromUserId)
    .returning('id')
    .execute();
  const messages = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', fromUserId)
    .executeTakeFirstOrThrow();
  await db.updateTable('messages').set({ user_id: toUserId }).where('user_id', '=', fromUserId).execute();
  await db
    .updateTable('messages')
    .set({ author_id: toUserId })
    .where('author_type', '=', 'user')
    .where('author_id', '=', fromUserId)
    .execute();
  await db.updateTable('events').set({ user_id: toUserId }).where('user_id', '=', fromUserId).execute();
  return { conversationIds: conversations.map((c) => c.id), messages: Number(messages.n) };
}

/**
 * Right to erasure (IDENTITY.md §8): the text of every message in the users'
 * conversations goes (a greeting or an agent's reply can quote a name or an address),
 * and so do the author names shown on their own messages. That a message existed stays.
 */
export async function eraseMessagesOfUsers(db: Executor, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.updateTable('messages').set({ text: '' }).where('user_id', 'in', userIds).execute();
  await db
    .updateTable('messages')
    .set({ author_name: null })
    .where('user_id', 'in', userIds)
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

/**
 * Undoing a merge: these conversations (those still on `fromUserId`) and their messages
 * and stored events go back to `toUserId`. Returns how many conversations and messages moved.
 */
export async function moveConversationsBack(
  db: Executor,
  conversationIds: readonly string[],
  fromUserId: string,
  toUserId: string,
): Promise<{ conversations: number; messages: number }> {
  if (conversationIds.length === 0) return { conversations: 0, messages: 0 };
  const moved = await db
    .updateTable('conversations')
    .set({ user_id: toUserId })
    .where('id', 'in', conversationIds)
    .where('user_id', '=', fromUserId)
    .returning('id')
    .execute();
  const ids = moved.map((c) => c.id);
  if (ids.length === 0) return { conversations: 0, messages: 0 };
  const messages = await db
    .updateTable('messages')
    .set({ user_id: toUserId })
    .where('conversation_id', 'in', ids)
    .executeTakeFirst();
  await db
    .updateTable('messages')
    .set({ author_id: toUserId })
    .where('conversation_id', 'in', ids)
    .where('author_type', '=', 'user')
    .where('author_id', '=', fromUserId)
    .execute();
  // Stored events name their conversation in the payload (message.conversationId, conversation.id).
  for (const id of ids) {
    await db
      .updateTable('events')
      .set({ user_id: toUserId })
      .where('user_id', '=', fromUserId)
      .where('payload', 'like', `%${id}%`)
      .execute();
  }
  return { conversations: ids.length, messages: Number(messages.numUpdatedRows) };
}
