import type { Kysely } from 'kysely';

/** Where the bot stands in each conversation: durable across reloads, devices and restarts. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bot_states')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('awaiting', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
