import { PostgresAdapter, sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import type { ConversationRow, MessageRow } from '../db/schema.ts';

/**
 * Stores a message and moves its conversation's activity to it. On PostgreSQL both are
 * one statement (one round trip); SQLite runs them in turn (its statements cost no trip).
 */
export async function insertMessageIntoConversation(db: Executor, row: MessageRow): Promise<void> {
  const activity = {
    last_message_at: row.created_at,
    activity_at: row.created_at,
    updated_at: row.created_at,
  };
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await db
      .with('inserted', (qc) => qc.insertInto('messages').values(row))
      .updateTable('conversations')
      .set(activity)
      .where('id', '=', row.conversation_id)
      .execute();
    return;
  }
  await db.insertInto('messages').values(row).execute();
  await db.updateTable('conversations').set(activity).where('id', '=', row.conversation_id).execute();
}

/**
 * What an end user's message needs to know before it is written, in one statement: the
 * conversation it would go to (the one named, or else the user's newest) and the id of a
 * message this user already sent with this clientMessageId, if any.
 */
export async function findSendContext(
  db: Executor,
  userId: string,
  clientMessageId: string,
  conversationId: string | undefined,
): Promise<{ conversation: ConversationRow | undefined; duplicateId: string | undefined }> {
  const conversation = db
    .selectFrom('conversations')
    .selectAll()
    .where(conversationId === undefined ? 'user_id' : 'id', '=', conversationId ?? userId)
    .orderBy('id', 'desc')
    .limit(1);
  const duplicate = db
    .selectFrom('messages')
    .select('id as duplicate_id')
    .where('author_type', '=', 'user')
    .where('author_id', '=', userId)
    .where('client_message_id', '=', clientMessageId);
  const { duplicate_id, ...found } = await db
    .selectFrom(db.selectNoFrom(sql.lit(1).as('one')).as('o'))
    .leftJoin(conversation.as('c'), (join) => join.onTrue())
    .leftJoin(duplicate.as('d'), (join) => join.onTrue())
    .selectAll('c')
    .select('d.duplicate_id')
    .executeTakeFirstOrThrow();
  return {
    conversation: found.id === null ? undefined : (found as ConversationRow),
    duplicateId: duplicate_id ?? undefined,
  };
}

export async function findMessage(db: Executor, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The message an author already sent with this clientMessageId, if any. */
export async function findByClientMessageId(
  db: Executor,
  author: { type: MessageRow['author_type']; id: string },
  clientMessageId: string,
): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('author_type', '=', author.type)
    .where('author_id', '=', author.id)
    .where('client_message_id', '=', clientMessageId)
    .executeTakeFirst();
}

/** Newest first from `before`; callers reverse for display. */
export async function listMessages(
  db: Executor,
  conversationId: string,
  before: string | undefined,
  limit: number,
): Promise<MessageRow[]> {
  let query = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
  if (before) query = query.where('id', '<', before);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function listMessagesOfUser(db: Executor, userId: string): Promise<MessageRow[]> {
  return db.selectFrom('messages').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

/**
 * Unread messages per conversation for one reader: the user counts what others wrote,
 * the agents count what the user wrote, after that reader's marker.
 */
export async function countUnread(
  db: Executor,
  conversationIds: readonly string[],
  reader: 'user' | 'agents',
): Promise<Map<string, number>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('messages as m')
    .leftJoin('conversation_reads as r', (join) =>
      join.onRef('r.conversation_id', '=', 'm.conversation_id').on('r.reader', '=', reader),
    )
    .select(['m.conversation_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('m.conversation_id', 'in', conversationIds)
    .where('m.author_type', reader === 'user' ? '!=' : '=', 'user')
    .where((eb) => eb.or([eb('r.message_id', 'is', null), eb('m.id', '>', eb.ref('r.message_id'))]))
    .groupBy('m.conversation_id')
    .execute();
  return new Map(rows.map((r) => [r.conversation_id, Number(r.n)]));
}

export async function upsertReadMarker(
  db: Executor,
  conversationId: string,
  reader: 'user' | 'agents',
  messageId: string,
  now: number,
): Promise<boolean> {
  const current = await db
    .selectFrom('conversation_reads')
    .select('message_id')
    .where('conversation_id', '=', conversationId)
    .where('reader', '=', reader)
    .executeTakeFirst();
  if (current && current.message_id >= messageId) return false;
  await db
    .insertInto('conversation_reads')
    .values({ conversation_id: conversationId, reader, message_id: messageId, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['conversation_id', 'reader']).doUpdateSet({ message_id: messageId, updated_at: now }),
    )
    .execute();
  return true;
}
