import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Live messaging: the event log that sockets replay from, read markers, idempotent
 * sends and the inbox's sort order.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema.alterTable('messages').addColumn('author_name', 'text').execute();
  // API.md: the same clientMessageId from the same author yields the original message.
  await db.schema
    .createIndex('messages_idempotency')
    .on('messages')
    .columns(['author_type', 'author_id', 'client_message_id'])
    .unique()
    .where(sql.ref('client_message_id'), 'is not', null)
    .execute();

  await db.schema.alterTable('conversations').addColumn('activity_at', 'bigint').execute();
  await db.schema
    .createIndex('conversations_inbox')
    .on('conversations')
    .columns(['status', 'activity_at', 'id'])
    .execute();
  await db.schema
    .createIndex('conversations_activity')
    .on('conversations')
    .columns(['activity_at', 'id'])
    .execute();

  // Cursors are these ids. They must grow in commit order: SQLite has one writer, and on
  // PostgreSQL the insert takes a transaction-level advisory lock (events.repository.ts).
  await db.schema
    .createTable('events')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('user_id', 'text')
    .addColumn('inbox', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_user').on('events').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('events_inbox').on('events').columns(['inbox', 'id']).execute();

  await db.schema
    .createTable('conversation_reads')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('reader', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_reads_pk', ['conversation_id', 'reader'])
    .execute();
}
