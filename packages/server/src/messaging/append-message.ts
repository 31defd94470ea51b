import type { Message } from '@signet/protocol';
import type { Executor } from '../db/executor.ts';
import type { MessageRow } from '../db/schema.ts';
import { updateConversation } from './conversations.repository.ts';
import { insertMessage } from './messages.repository.ts';
import { messageView } from './views.ts';

/** Stores a message and moves its conversation's activity to it, inside the caller's transaction. */
export async function appendMessage(db: Executor, row: MessageRow): Promise<Message> {
  await insertMessage(db, row);
  await updateConversation(db, row.conversation_id, {
    last_message_at: row.created_at,
    activity_at: row.created_at,
    updated_at: row.created_at,
  });
  return messageView(row);
}
