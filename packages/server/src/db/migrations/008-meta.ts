import type { Kysely } from 'kysely';

/**
 * Facts about the installation itself, one row per key. The first is the master-key
 * check value (ops/master-key-check.ts): a node whose key cannot open it refuses to start.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
