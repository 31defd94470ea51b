import type { Kysely } from 'kysely';

/**
 * Identity you can see and explain: an append-only journal of every identity decision
 * about a user, and signing keys that are marked deleted (secret wiped) rather than
 * forgotten, so a token naming one can be explained.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('identity_journal')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('identity_journal_user')
    .on('identity_journal')
    .columns(['user_id', 'id'])
    .execute();

  await db.schema.alterTable('signing_keys').addColumn('deleted_at', 'bigint').execute();
}
