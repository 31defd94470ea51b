import type { ClientHistory, ClientMessagesPage, ClientPageQuery } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { LiveClientSession } from '../identity/client-sessions.ts';
import { findConversation } from './conversations.repository.ts';
import { latestEventId } from './events.repository.ts';
import { listClientConversations, listNewestMessages } from './history.repository.ts';
import { countUnread, listMessages } from './messages.repository.ts';
import { conversationView, messageView } from './views.ts';

/** Messages shown with each conversation of a history page; `messagesCursor` reaches the rest. */
export const MESSAGES_PER_CONVERSATION = 50;
const DEFAULT_LIMIT = 50;

/**
 * The messenger's history, a page of the session user's conversations (follow-ups
 * included, newest first), each with its newest messages, so the widget shows one
 * continuous thread and pages back from there: nothing is out of reach of a cursor.
 * `eventCursor` is read first: a socket opened with it as `since` misses nothing that
 * happened after this fetch began.
 */
export async function clientHistory(
  ctx: AppContext,
  live: LiveClientSession,
  query: ClientPageQuery,
): Promise<ClientHistory> {
  const db = ctx.storage.db;
  const limit = query.limit ?? DEFAULT_LIMIT;
  const eventCursor = await latestEventId(db);
  const rows = await listClientConversations(db, live.user.id, query.before, limit + 1);
  const conversations = rows.slice(0, limit);
  const ids = conversations.map((c) => c.id);
  const unread = await countUnread(db, ids, 'user');
  const messages = await listNewestMessages(db, ids, MESSAGES_PER_CONVERSATION + 1);
  const data = conversations.map((conversation) => {
    const newest = messages.get(conversation.id) ?? [];
    const more = newest.length > MESSAGES_PER_CONVERSATION;
    const shown = more ? newest.slice(1) : newest;
    return {
      ...conversationView(conversation, unread.get(conversation.id) ?? 0),
      messages: shown.map(messageView),
      messagesCursor: more ? shown[0]!.id : null,
    };
  });
  return {
    data,
    nextCursor: rows.length > limit ? conversations.at(-1)!.id : null,
    eventCursor: String(eventCursor),
    unreadCount: [...unread.values()].reduce((a, b) => a + b, 0),
  };
}

/** Older messages of one of the user's conversations, oldest first. Another user's conversation is not found. */
export async function clientMessages(
  ctx: AppContext,
  live: LiveClientSession,
  conversationId: string,
  query: ClientPageQuery,
): Promise<ClientMessagesPage> {
  const db = ctx.storage.db;
  const conversation = await findConversation(db, conversationId);
  if (!conversation || conversation.user_id !== live.user.id)
    throw new AppError('not_found', 'no such conversation');
  const limit = query.limit ?? DEFAULT_LIMIT;
  const rows = await listMessages(db, conversationId, query.before, limit + 1);
  const page = rows.slice(0, limit).reverse();
  return { data: page.map(messageView), nextCursor: rows.length > limit ? page[0]!.id : null };
}
