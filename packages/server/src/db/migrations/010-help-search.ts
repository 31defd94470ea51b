import { type Kysely, SqliteAdapter, sql } from 'kysely';

/**
 * Search speed (bench help_search). SQLite: the reader filter (status, audience, id) is
 * answered from a narrow index keyed by the FTS row id, so search never reads the wide
 * article rows of every match. PostgreSQL: ranking reads each match's tsvector; stored
 * uncompressed it is read without being decompressed first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    await sql`alter table help_articles alter column search set storage external`.execute(db);
    return;
  }
  await db.schema
    .createIndex('help_articles_reader')
    .on('help_articles')
    .columns(['seq', 'status', 'audience_type', 'id'])
    .execute();
}
