import type { Conversation, Message } from '@signet/protocol';
import type { ConversationRow, MessageRow } from '../db/schema.ts';
import { iso, isoOrNull } from '../identity/user-view.ts';

export function messageView(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    author: { type: row.author_type, id: row.author_id, name: row.author_name },
    text: row.text,
    authenticated: row.authenticated === 1,
    createdAt: iso(row.created_at),
    ...(row.client_message_id !== null ? { clientMessageId: row.client_message_id } : {}),
  };
}

export function conversationView(row: ConversationRow, unreadCount = 0): Conversation {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    assigneeId: row.assignee_id,
    followUpOf: row.follow_up_of,
    channel: row.channel,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    lastMessageAt: isoOrNull(row.last_message_at),
    unreadCount,
  };
}
