import type { Executor } from '../db/executor.ts';
import type { MessageRow } from '../db/schema.ts';

export async function insertMessage(db: Executor, row: MessageRow): Promise<void> {
  await db.insertInto('messages').values(row).execute();
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
