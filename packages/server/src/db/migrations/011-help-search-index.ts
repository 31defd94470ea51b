import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Search speed (bench help_search), PostgreSQL: the GIN index takes new entries straight
 * into its tree rather than through a pending list. With the list on, every search scans
 * the whole list (up to gin_pending_list_limit, 4 MB by default) until a vacuum merges it;
 * help articles are written rarely and searched often, so the writer pays instead.
 * What is pending now is merged. SQLite's FTS5 index has nothing of the kind: nothing to do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`alter index help_articles_search set (fastupdate = off)`.execute(db);
  await sql`select gin_clean_pending_list('help_articles_search'::regclass)`.execute(db);
}
