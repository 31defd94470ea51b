import type { Executor } from '../db/executor.ts';
import type { BotStateRow } from '../db/schema.ts';

export async function findBotState(db: Executor, conversationId: string): Promise<BotStateRow | undefined> {
  return db
    .selectFrom('bot_states')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
}

/** Inserts the first state, or moves an existing one on if nobody else did first. */
export async function saveBotState(
  db: Executor,
  next: BotStateRow,
  previousVersion: number | undefined,
): Promise<boolean> {
  if (previousVersion === undefined) {
    await db.insertInto('bot_states').values(next).execute();
    return true;
  }
  const result = await db
    .updateTable('bot_states')
    .set({
      step: next.step,
      status: next.status,
      awaiting: next.awaiting,
      version: next.version,
      updated_at: next.updated_at,
    })
    .where('conversation_id', '=', next.conversation_id)
    .where('version', '=', previousVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function conversationsAwaitingDetails(
  db: Executor,
  conversationIds: readonly string[],
): Promise<string[]> {
  if (conversationIds.length === 0) return [];
  const rows = await db
    .selectFrom('bot_states')
    .select('conversation_id')
    .where('conversation_id', 'in', conversationIds)
    .where('status', '=', 'waiting_details')
    .execute();
  return rows.map((r) => r.conversation_id);
}

/** The message that opened the conversation: what suggest_articles searches with. */
export async function firstUserMessage(
  db: Executor,
  conversationId: string,
): Promise<{ text: string; authenticated: number } | undefined> {
  return db
    .selectFrom('messages')
    .select(['text', 'authenticated'])
    .where('conversation_id', '=', conversationId)
    .where('author_type', '=', 'user')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}
