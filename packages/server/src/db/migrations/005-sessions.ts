import { type Kysely, sql } from 'kysely';

/**
 * IDENTITY.md §7 and §2: a client session knows when it ends and why, which external
 * id its token carried (a merge keeps such a session only for the survivor's own id),
 * and when it was last used (anonymous sessions end after a quiet spell). Users carry
 * the business's tags. Every merge leaves a record of what moved.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('client_sessions').addColumn('expires_at', 'bigint').execute();
  await db.schema.alterTable('client_sessions').addColumn('external_id', 'text').execute();
  await db.schema.alterTable('client_sessions').addColumn('ended_reason', 'text').execute();
  await db.schema
    .alterTable('client_sessions')
    .addColumn('last_used_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update client_sessions set last_used_at = created_at`.execute(db);
  // Sessions authenticated before this migration end with their token (or a day after login).
  await sql`update client_sessions set expires_at = coalesce(token_expires_at + 60000, created_at + 86400000)
            where authenticated = 1`.execute(db);
  await db.schema.createIndex('client_sessions_kid').on('client_sessions').column('kid').execute();

  await db.schema
    .alterTable('users')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();

  await db.schema
    .createTable('merges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('from_user_id', 'text', (c) => c.notNull())
    .addColumn('into_user_id', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('merges_into').on('merges').column('into_user_id').execute();
  await db.schema.createIndex('merges_from').on('merges').column('from_user_id').execute();
}
