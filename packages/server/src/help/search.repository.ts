import { sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import { readableBy } from './articles.repository.ts';
import type { Viewer } from './can-read.ts';

export type SearchHitRow = { id: string; collection_id: string; title: string; body_text: string };

/**
 * Full-text search (HELP.md "Search"): every term a prefix, all terms required (or,
 * for the bot's suggestions, any of them), the title weighted above the body, and the
 * audience filter inside the same query.
 * `terms` are plain words (letters and digits only), so they never carry query syntax.
 *
 * One statement: the inner query matches, filters and ranks reading narrow columns only
 * (the FTS row id and the reader filter's columns), and its few winners are joined back
 * to their articles for the wide columns, rather than carrying every match's text through
 * the sort. Being one statement, the winners are read in the same snapshot the filter saw.
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

function searchSqlite(
  db: Executor,
  viewer: Viewer | 'staff',
  terms: string[],
  limit: number,
  mode: 'all' | 'any',
): Promise<SearchHitRow[]> {
  const match = terms.map((t) => `"${t}"*`).join(mode === 'all' ? ' ' : ' OR ');
  let ranked = db
    .selectFrom('help_articles')
    .innerJoin(sql<{ rowid: number }>`help_articles_fts`.as('help_articles_fts'), (join) =>
      join.onRef(sql.ref('help_articles_fts.rowid'), '=', 'help_articles.seq'),
    )
    .select(['help_articles.seq', sql<number>`bm25(help_articles_fts, 10.0, 1.0)`.as('score')])
    .where(sql<boolean>`help_articles_fts match ${match}`);
  if (viewer !== 'staff') ranked = ranked.where(readableBy(db, viewer));
  return db
    .selectFrom(ranked.orderBy('score').orderBy('help_articles.id').limit(literalLimit(limit)).as('winner'))
    .innerJoin('help_articles', 'help_articles.seq', 'winner.seq')
    .select([
      'help_articles.id',
      'help_articles.collection_id',
      'help_articles.title',
      'help_articles.body_text',
    ])
    .orderBy('winner.score')
    .orderBy('help_articles.id')
    .execute();
}

function searchPostgres(
  db: Executor,
  viewer: Viewer | 'staff',
  terms: string[],
  limit: number,
  mode: 'all' | 'any',
): Promise<SearchHitRow[]> {
  const tsquery = sql`to_tsquery('simple', ${terms.map((t) => `${t}:*`).join(mode === 'all' ? ' & ' : ' | ')})`;
  let ranked = db
    .selectFrom('help_articles')
    .select([
      'help_articles.seq',
      'help_articles.id',
      sql<number>`ts_rank(help_articles.search, ${tsquery})`.as('score'),
    ])
    .where(sql<boolean>`help_articles.search @@ ${tsquery}`);
  if (viewer !== 'staff') ranked = ranked.where(readableBy(db, viewer));
  return db
    .selectFrom(
      ranked.orderBy('score', 'desc').orderBy('help_articles.id').limit(literalLimit(limit)).as('winner'),
    )
    .innerJoin('help_articles', 'help_articles.seq', 'winner.seq')
    .select([
      'help_articles.id',
      'help_articles.collection_id',
      'help_articles.title',
      'help_articles.body_text',
    ])
    .orderBy('winner.score', 'desc')
    .orderBy('help_articles.id')
    .execute();
}

/**
 * The limit written into the SQL rather than bound: SQLite keeps only that many rows in
 * its sorter when the limit is a constant, and sorts every match when it is a parameter
 * (measured: a third of the search's time over 10,000 articles). A few distinct limits
 * are in use, so the statement cache still serves them.
 */
function literalLimit(limit: number) {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new Error(`search limit must be a positive integer, got ${limit}`);
  return sql.lit(limit);
}
