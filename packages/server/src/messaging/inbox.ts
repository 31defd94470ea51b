import type { Conversation, ListConversationsQuery, ListMessagesQuery, Message } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { searchUserIds } from '../identity/users.repository.ts';
import { isId } from '../ids.ts';
import { findConversation, listInbox } from './conversations.repository.ts';
import { countUnread, listMessages } from './messages.repository.ts';
import { conversationView, messageView } from './views.ts';

type Page<T> = { data: T[]; nextCursor: string | null };

/** Inbox cursors carry the sort key: `<activity ms>_<id>`. */
function parseInboxCursor(cursor: string | undefined): { activityAt: number; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const match = /^(\d{1,16})_([0-9a-f-]{36})$/.exec(cursor);
  if (!match) throw new AppError('invalid_cursor', 'before is not a cursor this API gave out');
  return { activityAt: Number(match[1]), id: match[2]! };
}

/** Conversations for agents, newest activity first, with the team's unread counts. */
export async function listConversations(
  ctx: AppContext,
  query: ListConversationsQuery,
  viewerId: string,
): Promise<Page<Conversation>> {
  const limit = query.limit ?? 50;
  const assignee =
    query.assigneeId === 'none' ? null : query.assigneeId === 'me' ? viewerId : query.assigneeId;
  const rows = await listInbox(ctx.storage.db, {
    status: query.status,
    userId: query.userId,
    userIds: query.q ? await searchUserIds(ctx.storage.db, query.q, 200) : undefined,
    assigneeId: assignee,
    after: parseInboxCursor(query.before),
    limit,
  });
  const unread = await countUnread(
    ctx.storage.db,
    rows.map((r) => r.id),
    'agents',
  );
  const last = rows.at(-1);
  return {
    data: rows.map((r) => conversationView(r, unread.get(r.id) ?? 0)),
    nextCursor: rows.length === limit && last ? `${last.activity_at ?? 0}_${last.id}` : null,
  };
}

export async function getConversation(ctx: AppContext, id: string): Promise<Conversation> {
  const row = isId(id) ? await findConversation(ctx.storage.db, id) : undefined;
  if (!row) throw new AppError('not_found', 'no such conversation');
  const unread = await countUnread(ctx.storage.db, [row.id], 'agents');
  return conversationView(row, unread.get(row.id) ?? 0);
}

/** A page of messages, oldest first within the page; `nextCursor` pages further back. */
export async function listConversationMessages(
  ctx: AppContext,
  id: string,
  query: ListMessagesQuery,
): Promise<Page<Message>> {
  await getConversation(ctx, id);
  const limit = query.limit ?? 50;
  const rows = await listMessages(ctx.storage.db, id, query.before, limit);
  return {
    data: [...rows].reverse().map(messageView),
    nextCursor: rows.length === limit ? rows.at(-1)!.id : null,
  };
}
