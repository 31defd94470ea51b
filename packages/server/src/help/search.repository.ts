import { sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import { readableBy } from './articles.repository.ts';
import type { Viewer } from './can-read.ts';

/** Marks around matched words in a raw snippet; body_text never holds them (markdown.ts). */
export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

export type SearchHitRow = { id: string; collection_id: string; title: string; snippet: string };

/**
 * Full-text search (HELP.md "Search"): every term a prefix, all terms required (or,
 * for the bot's suggestions, any of them), the title weighted above the body, and the
 * audience filter inside the same query.
 * `terms` are plain words (letters and digits only), so they never carry query syntax.
 */
export async function searchArticles(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  viewer: Viewer | 'staff',
  terms: string[],
  limit: number,
  mode: 'all' | 'any' = 'all',
): Promise<SearchHitRow[]> {
  if (terms.length === 0) return [];
  return dialect === 'sqlite'
    ? searchSqlite(db, viewer, terms, limit, mode)
    : searchPostgres(db, viewer, terms, limit, mode);
}

async function searchSqlite(
  db: Executor,
  viewer: Viewer | 'staff',
  terms: string[],
  limit: number,
  mode: 'all' | 'any',
) {
  const match = terms.map((t) => `"${t}"*`).join(mode === 'all' ? ' ' : ' OR ');
  let query = db
    .selectFrom('help_articles')
    .innerJoin(sql<{ rowid: number }>`help_articles_fts`.as('help_articles_fts'), (join) =>
      join.onRef(sql.ref('help_articles_fts.rowid'), '=', 'help_articles.seq'),
    )
    .select([
      'help_articles.id',
      'help_articles.collection_id',
      'help_articles.title',
      sql<string>`snippet(help_articles_fts, 1, ${MARK_START}, ${MARK_END}, '…', 16)`.as('snippet'),
    ])
    .where(sql<boolean>`help_articles_fts match ${match}`);
  if (viewer !== 'staff') query = query.where(readableBy(viewer));
  return query
    .orderBy(sql`bm25(help_articles_fts, 10.0, 1.0)`)
    .orderBy('help_articles.id')
    .limit(limit)
    .execute();
}

async function searchPostgres(
  db: Executor,
  viewer: Viewer | 'staff',
  terms: string[],
  limit: number,
  mode: 'all' | 'any',
) {
  const tsquery = sql`to_tsquery('simple', ${terms.map((t) => `${t}:*`).join(mode === 'all' ? ' & ' : ' | ')})`;
  const options = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=24, MinWords=10, MaxFragments=1, FragmentDelimiter=" … "`;
  let query = db
    .selectFrom('help_articles')
    .select([
      'help_articles.id',
      'help_articles.collection_id',
      'help_articles.title',
      sql<string>`ts_headline('simple', help_articles.body_text, ${tsquery}, ${options})`.as('snippet'),
    ])
    .where(sql<boolean>`help_articles.search @@ ${tsquery}`);
  if (viewer !== 'staff') query = query.where(readableBy(viewer));
  return query
    .orderBy(sql`ts_rank(help_articles.search, ${tsquery})`, 'desc')
    .orderBy('help_articles.id')
    .limit(limit)
    .execute();
}
