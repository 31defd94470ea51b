import type { ClientHistory } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { LiveClientSession } from '../identity/client-sessions.ts';
import { listConversationsOfUser } from './conversations.repository.ts';
import { latestEventId } from './events.repository.ts';
import { countUnread, listMessages } from './messages.repository.ts';
import { conversationView, messageView } from './views.ts';

const MESSAGES_PER_CONVERSATION = 100;

/**
 * The messenger's history: every conversation of the session's user (follow-ups
 * included, newest first) with its latest messages, so the widget shows one
 * continuous thread. `eventCursor` is read first: a socket opened with it as `since`
 * misses nothing that happened after this fetch began.
 */
export async function clientHistory(ctx: AppContext, live: LiveClientSession): Promise<ClientHistory> {
  const db = ctx.storage.db;
  const eventCursor = await latestEventId(db);
  const conversations = await listConversationsOfUser(db, live.user.id, 50);
  const unread = await countUnread(
    db,
    conversations.map((c) => c.id),
    'user',
  );
  const data = [];
  for (const conversation of conversations) {
    const messages = await listMessages(db, conversation.id, undefined, MESSAGES_PER_CONVERSATION);
    data.push({
      ...conversationView(conversation, unread.get(conversation.id) ?? 0),
      messages: messages.reverse().map(messageView),
    });
  }
  return {
    data,
    nextCursor: null,
    eventCursor: String(eventCursor),
    unreadCount: [...unread.values()].reduce((a, b) => a + b, 0),
  };
}
