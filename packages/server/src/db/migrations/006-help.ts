import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The help center (HELP.md): collections, articles with their audience, the audience's
 * tags as rows (so the filter runs inside the search query), full-text search (FTS5 on
 * SQLite, a weighted tsvector with a GIN index on PostgreSQL) and the one-time tickets
 * that carry a messenger session into /help.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema
    .createTable('help_collections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // `seq` is a stable integer key: SQLite's FTS5 index points at rows by it.
  await db.schema
    .createTable('help_articles')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('collection_id', 'text', (c) => c.notNull().references('help_collections.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    /** The body as plain text: what search indexes and snippets quote. */
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('audience_type', 'text', (c) => c.notNull())
    .addColumn('tags_all', 'text', (c) => c.notNull())
    .addColumn('tags_any', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('published_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('help_articles_collection')
    .on('help_articles')
    .columns(['collection_id', 'status', 'audience_type'])
    .execute();

  await db.schema
    .createTable('help_article_tags')
    .addColumn('article_id', 'text', (c) => c.notNull().references('help_articles.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('help_article_tags_pk', ['article_id', 'kind', 'tag'])
    .execute();

  if (postgres) {
    await sql`alter table help_articles add column search tsvector generated always as (
      setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body_text), 'B')
    ) stored`.execute(db);
    await sql`create index help_articles_search on help_articles using gin (search)`.execute(db);
  } else {
    await sql`create virtual table help_articles_fts using fts5(
      title, body_text, content='help_articles', content_rowid='seq',
      tokenize='unicode61 remove_diacritics 2', prefix='2 3'
    )`.execute(db);
    await sql`create trigger help_articles_fts_insert after insert on help_articles begin
      insert into help_articles_fts(rowid, title, body_text) values (new.seq, new.title, new.body_text);
    end`.execute(db);
    await sql`create trigger help_articles_fts_delete after delete on help_articles begin
      insert into help_articles_fts(help_articles_fts, rowid, title, body_text)
        values ('delete', old.seq, old.title, old.body_text);
    end`.execute(db);
    await sql`create trigger help_articles_fts_update after update of title, body_text on help_articles begin
      insert into help_articles_fts(help_articles_fts, rowid, title, body_text)
        values ('delete', old.seq, old.title, old.body_text);
      insert into help_articles_fts(rowid, title, body_text) values (new.seq, new.title, new.body_text);
    end`.execute(db);
  }

  // One row per ticket; once exchanged it also names the help cookie. The client
  // session's token is kept sealed with the master key, so every help request checks
  // the session through the same rule as the client API (IDENTITY.md §7).
  await db.schema
    .createTable('help_passes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_hash', 'text', (c) => c.notNull().unique())
    .addColumn('cookie_hash', 'text', (c) => c.unique())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('session_sealed', 'text', (c) => c.notNull())
    .addColumn('article_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('ticket_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('help_passes_session').on('help_passes').column('session_id').execute();
}
