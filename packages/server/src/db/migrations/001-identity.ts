import { type Kysely, sql } from 'kysely';

/**
 * Identity core, plus the conversation and message tables that resolution moves
 * between users. Types are chosen to mean the same on SQLite and PostgreSQL:
 * text ids, bigint epoch milliseconds, integer 0/1 flags.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('secret_prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('anonymous', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('authenticated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_authenticated_at', 'bigint')
    .addColumn('merged_into', 'text')
    .addColumn('erased_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_merged_into').on('users').column('merged_into').execute();

  await db.schema
    .createTable('identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('normalized', 'text', (c) => c.notNull())
    .addColumn('verified', 'integer', (c) => c.notNull())
    .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // IDENTITY.md §3: one holder per external id, one holder per *verified* email, and
  // one external id per user. These constraints, not locks, make resolution race-safe.
  await db.schema
    .createIndex('identities_external_id')
    .on('identities')
    .column('normalized')
    .unique()
    .where(sql.ref('type'), '=', 'external_id')
    .execute();
  await db.schema
    .createIndex('identities_one_external_id_per_user')
    .on('identities')
    .column('user_id')
    .unique()
    .where(sql.ref('type'), '=', 'external_id')
    .execute();
  await db.schema
    .createIndex('identities_verified_email')
    .on('identities')
    .column('normalized')
    .unique()
    .where(sql<boolean>`type = 'email' and verified = 1`)
    .execute();
  await db.schema
    .createIndex('identities_user_value')
    .on('identities')
    .columns(['user_id', 'type', 'normalized'])
    .unique()
    .execute();
  await db.schema
    .createIndex('identities_email_lookup')
    .on('identities')
    .columns(['type', 'normalized'])
    .execute();

  await db.schema
    .createTable('client_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('authenticated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('kid', 'text')
    .addColumn('token_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('client_sessions_user').on('client_sessions').column('user_id').execute();

  await db.schema
    .createTable('auth_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('claim', 'text')
    .addColumn('kid', 'text')
    .addColumn('external_id', 'text')
    .addColumn('external_id_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('user_id', 'text')
    .addColumn('resolution', 'text')
    .addColumn('merged_anonymous', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('email_outcome', 'text')
    .addColumn('had_exp', 'integer')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  // Every index is written on every login; outcome and kid filters are rare admin reads
  // that walk the primary key newest-first instead.
  await db.schema
    .createIndex('auth_events_external_id')
    .on('auth_events')
    .columns(['external_id', 'id'])
    .execute();
  await db.schema.createIndex('auth_events_user').on('auth_events').columns(['user_id', 'id']).execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('follow_up_of', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_message_at', 'bigint')
    .execute();
  await db.schema.createIndex('conversations_user').on('conversations').columns(['user_id', 'id']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('author_type', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('authenticated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('client_message_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messages_conversation')
    .on('messages')
    .columns(['conversation_id', 'id'])
    .execute();
  await db.schema.createIndex('messages_user').on('messages').columns(['user_id', 'id']).execute();
}
