import type { Message } from '@signet/protocol';
import type { Executor } from '../db/executor.ts';
import type { MessageRow } from '../db/schema.ts';
import { insertMessageIntoConversation } from './messages.repository.ts';
import { messageView } from './views.ts';

/** Stores a message and moves its conversation's activity to it, inside the caller's transaction. */
export async function appendMessage(db: Executor, row: MessageRow): Promise<Message> {
  await insertMessageIntoConversation(db, row);
  return messageView(row);
}
