import type { Executor } from '../db/executor.ts';
import type { ConversationRow, MessageRow } from '../db/schema.ts';

export async function insertConversation(db: Executor, row: ConversationRow): Promise<void> {
  await db.insertInto('conversations').values(row).execute();
}

export async function insertMessage(db: Executor, row: MessageRow): Promise<void> {
  await db.insertInto('messages').values(row).execute();
}

export async function listConversationsOfUser(db: Executor, userId: string): Promise<ConversationRow[]> {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();
}

export async function listMessagesOfUser(db: Executor, userId: string): Promise<MessageRow[]> {
  return db.selectFrom('messages').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}
