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
  const ranked =
    dialect === 'sqlite'
      ? await rankSqlite(db, viewer, terms, limit, mode)
      : await rankPostgres(db, viewer, terms, limit, mode);
  return hitsInOrder(db, viewer, ranked);
}

// Ranking reads ids only; the wide columns are fetched for the few winners afterwards,
// rather than carried through the sort for every match.
async function rankSqlite(
  db: Executor,
  viewer: Viewer | 'staff',
  terms: string[],
  limit: number,
  mode: 'all' | 'any',
): Promise<string[]> {
  const match = terms.map((t) => `"${t}"*`).join(mode === 'all' ? ' ' : ' OR ');
  let query = db
    .selectFrom('help_articles')
    .innerJoin(sql<{ rowid: number }>`help_articles_fts`.as('help_articles_fts'), (join) =>
      join.onRef(sql.ref('help_articles_fts.rowid'), '=', 'help_articles.seq'),
    )
    .select('help_articles.id')
    .where(sql<boolean>`help_articles_fts match ${match}`);
  if (viewer !== 'staff') query = query.where(readableBy(viewer));
  const rows = await query
    .orderBy(sql`bm25(help_articles_fts, 10.0, 1.0)`)
    .orderBy('help_articles.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

async function rankPostgres(
  db: Executor,
  viewer: Viewer | 'staff',
  terms: string[],
  limit: number,
  mode: 'all' | 'any',
): Promise<string[]> {
  const tsquery = sql`to_tsquery('simple', ${terms.map((t) => `${t}:*`).join(mode === 'all' ? ' & ' : ' | ')})`;
  let query = db
    .selectFrom('help_articles')
    .select('help_articles.id')
    .where(sql<boolean>`help_articles.search @@ ${tsquery}`);
  if (viewer !== 'staff') query = query.where(readableBy(viewer));
  const rows = await query
    .orderBy(sql`ts_rank(help_articles.search, ${tsquery})`, 'desc')
    .orderBy('help_articles.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The winners' columns, the rule applied again: an article made private in between stays out. */
async function hitsInOrder(db: Executor, viewer: Viewer | 'staff', ids: string[]): Promise<SearchHitRow[]> {
  if (ids.length === 0) return [];
  let query = db
    .selectFrom('help_articles')
    .select(['id', 'collection_id', 'title', 'body_text'])
    .where('id', 'in', ids);
  if (viewer !== 'staff') query = query.where(readableBy(viewer));
  const rows = await query.execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
