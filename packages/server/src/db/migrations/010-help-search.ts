import { type Kysely, SqliteAdapter } from 'kysely';

/**
 * SQLite: the reader filter (status, audience, id) answered from a narrow index keyed by
 * the FTS row id, so search never reads the wide article rows of every match
 * (bench help_search). PostgreSQL's plan goes through the GIN index and needs none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await db.schema
    .createIndex('help_articles_reader')
    .on('help_articles')
    .columns(['seq', 'status', 'audience_type', 'id'])
    .execute();
}
