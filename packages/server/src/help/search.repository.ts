import { type CompiledQuery, sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import { readableBy, readerKey } from './articles.repository.ts';
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
  const text =
    dialect === 'sqlite'
      ? terms.map((t) => `"${t}"*`).join(mode === 'all' ? ' ' : ' OR ')
      : terms.map((t) => `${t}:*`).join(mode === 'all' ? ' & ' : ' | ');
  const statement = searchStatement(db, dialect, viewer, limit);
  const parameters = statement.parameters.map((p) => (p === QUERY_TEXT ? text : p));
  const { rows } = await db.executeQuery<SearchHitRow>({ ...statement, parameters });
  return rows;
}

/** Where the full-text query goes in a compiled statement, filled in on each search. */
const QUERY_TEXT = Symbol('full-text query');
const statements = new Map<string, CompiledQuery<SearchHitRow>>();

/**
 * The compiled statement for a viewer and a limit. Building and compiling the query with
 * its audience filter took a third of a search's time on SQLite (bench help_search), and
 * readers ask the same few shapes again and again. The key is what the audience filter
 * reads of the viewer (`readerKey`: every anonymous visitor shares one), so a statement
 * never carries another filter. The query builder here carries no plugins, so the SQL
 * depends on the dialect only.
 */
function searchStatement(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  viewer: Viewer | 'staff',
  limit: number,
): CompiledQuery<SearchHitRow> {
  const key = `${dialect} ${limit} ${viewer === 'staff' ? 'staff' : readerKey(viewer)}`;
  let statement = statements.get(key);
  if (!statement) {
    statement = (
      dialect === 'sqlite' ? sqliteQuery(db, viewer, limit) : postgresQuery(db, viewer, limit)
    ).compile();
    if (statements.size >= 500) statements.clear();
    statements.set(key, statement);
  }
  return statement;
}

/** What a hit shows, read from the winners' rows once they are ranked. */
const HIT_COLUMNS = [
  'help_articles.id',
  'help_articles.collection_id',
  'help_articles.title',
  'help_articles.body_text',
] as const;

function sqliteQuery(db: Executor, viewer: Viewer | 'staff', limit: number) {
  let ranked = db
    .selectFrom('help_articles')
    .innerJoin(sql<{ rowid: number }>`help_articles_fts`.as('help_articles_fts'), (join) =>
      join.onRef(sql.ref('help_articles_fts.rowid'), '=', 'help_articles.seq'),
    )
    .select(['help_articles.seq', sql<number>`bm25(help_articles_fts, 10.0, 1.0)`.as('score')])
    .where(sql<boolean>`help_articles_fts match ${QUERY_TEXT}`);
  if (viewer !== 'staff') ranked = ranked.where(readableBy(db, viewer));
  return db
    .selectFrom(ranked.orderBy('score').orderBy('help_articles.id').limit(literalLimit(limit)).as('winner'))
    .innerJoin('help_articles', 'help_articles.seq', 'winner.seq')
    .select(HIT_COLUMNS)
    .orderBy('winner.score')
    .orderBy('help_articles.id');
}

function postgresQuery(db: Executor, viewer: Viewer | 'staff', limit: number) {
  const tsquery = sql`to_tsquery('simple', ${QUERY_TEXT})`;
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
    .select(HIT_COLUMNS)
    .orderBy('winner.score', 'desc')
    .orderBy('help_articles.id');
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
