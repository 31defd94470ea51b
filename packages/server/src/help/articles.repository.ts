import { type ExpressionBuilder, type Insertable, PostgresAdapter, sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import type { Database, HelpArticleRow } from '../db/schema.ts';
import type { Viewer } from './can-read.ts';

export type ArticleRow = Omit<HelpArticleRow, 'seq'>;
type ArticlesEb = ExpressionBuilder<Database, 'help_articles'>;

/**
 * can-read.ts's rule as SQL, applied inside every reader query (HELP.md: no
 * fetch-then-filter). Drafts are never readable; an anonymous session or nobody reads
 * `everyone` only; a signed-in viewer reads `signed_in` and the segments whose tags
 * it carries (all of tagsAll, one of tagsAny when there are any).
 *
 * A segment's tags are checked where each database does it cheapest. SQLite looks up the
 * article's rows in help_article_tags (an index probe per segment article). PostgreSQL
 * compares the article's own JSON arrays with the viewer's tags: the row is at hand
 * anyway, whereas the planner turned the lookups into a scan of every article's tags per
 * query (measured: 0.4 ms of a 1 ms search over 10,000 articles).
 */
/**
 * Exactly what `readableBy` reads of a viewer, as a string: two viewers with the same key
 * get the same filter (so a compiled statement may serve both).
 */
export function readerKey(viewer: Viewer): string {
  return viewer.kind === 'nobody' || !viewer.signedIn ? 'public' : `signed-in ${JSON.stringify(viewer.tags)}`;
}

export function readableBy(db: Executor, viewer: Viewer) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return (eb: ArticlesEb) => {
    const published = eb('help_articles.status', '=', 'published');
    if (viewer.kind === 'nobody' || !viewer.signedIn)
      return eb.and([published, eb('help_articles.audience_type', '=', 'everyone')]);
    const tags = [...viewer.tags];
    return eb.and([
      published,
      eb.or([
        eb('help_articles.audience_type', 'in', ['everyone', 'signed_in']),
        eb.and([
          eb('help_articles.audience_type', '=', 'segment'),
          postgres ? segmentMetJson(tags) : segmentMetRows(eb, tags),
        ]),
      ]),
    ]);
  };
}

/** All of tagsAll among the viewer's tags, and one of tagsAny when there are any: JSON on PostgreSQL. */
function segmentMetJson(tags: string[]) {
  return sql<boolean>`(help_articles.tags_all::jsonb <@ ${JSON.stringify(tags)}::jsonb
    and (jsonb_array_length(help_articles.tags_any::jsonb) = 0 or help_articles.tags_any::jsonb ?| ${tags}::text[]))`;
}

/** The same condition from the tags' rows. */
function segmentMetRows(eb: ArticlesEb, tags: string[]) {
  const tagRows = (kind: 'all' | 'any') =>
    eb
      .selectFrom('help_article_tags')
      .select('help_article_tags.tag')
      .whereRef('help_article_tags.article_id', '=', 'help_articles.id')
      .where('help_article_tags.kind', '=', kind);
  const missingAll =
    tags.length > 0 ? tagRows('all').where('help_article_tags.tag', 'not in', tags) : tagRows('all');
  const anyMet =
    tags.length > 0
      ? eb.or([
          eb.not(eb.exists(tagRows('any'))),
          eb.exists(tagRows('any').where('help_article_tags.tag', 'in', tags)),
        ])
      : eb.not(eb.exists(tagRows('any')));
  return eb.and([eb.not(eb.exists(missingAll)), anyMet]);
}

const columns = [
  'help_articles.id',
  'help_articles.collection_id',
  'help_articles.title',
  'help_articles.body',
  'help_articles.body_text',
  'help_articles.status',
  'help_articles.audience_type',
  'help_articles.tags_all',
  'help_articles.tags_any',
  'help_articles.created_at',
  'help_articles.updated_at',
  'help_articles.published_at',
] as const;

export async function insertArticle(db: Executor, row: ArticleRow): Promise<void> {
  await db
    .insertInto('help_articles')
    .values(row as Insertable<HelpArticleRow>)
    .execute();
  await replaceArticleTags(db, row);
}

export async function updateArticleRow(db: Executor, row: ArticleRow): Promise<void> {
  const { id, created_at: _created, ...changes } = row;
  await db.updateTable('help_articles').set(changes).where('id', '=', id).execute();
  await replaceArticleTags(db, row);
}

async function replaceArticleTags(db: Executor, row: ArticleRow): Promise<void> {
  await db.deleteFrom('help_article_tags').where('article_id', '=', row.id).execute();
  if (row.audience_type !== 'segment') return;
  const values = [
    ...(JSON.parse(row.tags_all) as string[]).map((tag) => ({
      article_id: row.id,
      kind: 'all' as const,
      tag,
    })),
    ...(JSON.parse(row.tags_any) as string[]).map((tag) => ({
      article_id: row.id,
      kind: 'any' as const,
      tag,
    })),
  ];
  if (values.length > 0) await db.insertInto('help_article_tags').values(values).execute();
}

export async function deleteArticleRow(db: Executor, id: string): Promise<boolean> {
  await db.deleteFrom('help_article_tags').where('article_id', '=', id).execute();
  const result = await db.deleteFrom('help_articles').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Staff read: any status, any audience. */
export async function findArticle(db: Executor, id: string): Promise<ArticleRow | undefined> {
  return db.selectFrom('help_articles').select(columns).where('id', '=', id).executeTakeFirst();
}

/** A reader's read: undefined both when it does not exist and when the viewer may not read it. */
export async function findReadableArticle(
  db: Executor,
  viewer: Viewer,
  id: string,
): Promise<ArticleRow | undefined> {
  return db
    .selectFrom('help_articles')
    .select(columns)
    .where('id', '=', id)
    .where(readableBy(db, viewer))
    .executeTakeFirst();
}

export async function listArticlesForStaff(
  db: Executor,
  filter: {
    collectionId?: string | undefined;
    status?: 'draft' | 'published' | undefined;
    after?: string | undefined;
    limit: number;
  },
): Promise<ArticleRow[]> {
  let query = db.selectFrom('help_articles').select(columns);
  if (filter.collectionId) query = query.where('collection_id', '=', filter.collectionId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
}

/** What a viewer may read, in one collection or all, ordered by title. */
export async function listReadableArticles(
  db: Executor,
  viewer: Viewer,
  filter: { collectionId?: string; limit: number },
): Promise<ArticleRow[]> {
  let query = db.selectFrom('help_articles').select(columns).where(readableBy(db, viewer));
  if (filter.collectionId) query = query.where('collection_id', '=', filter.collectionId);
  return query.orderBy('title').orderBy('id').limit(filter.limit).execute();
}

/** Readable articles per collection: the counts a viewer sees on the help home. */
export async function countReadableByCollection(db: Executor, viewer: Viewer): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('help_articles')
    .select(['collection_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where(readableBy(db, viewer))
    .groupBy('collection_id')
    .execute();
  return new Map(rows.map((r) => [r.collection_id, Number(r.n)]));
}
