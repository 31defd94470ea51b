import type { Article, ArticleListQuery, CreateArticleBody, UpdateArticleBody } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/executor.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import {
  type ArticleRow,
  deleteArticleRow,
  findArticle,
  insertArticle,
  listArticlesForStaff,
  updateArticleRow,
} from './articles.repository.ts';
import { findCollection } from './collections.repository.ts';
import { articlePlainText } from './markdown.ts';
import { searchArticles } from './search.repository.ts';
import { articleView, audienceOf, normalizeAudience, searchTerms } from './views.ts';

/** Staff verbs on articles (any status, any audience); readers go through read-articles.ts. */
export async function createArticle(ctx: AppContext, input: CreateArticleBody): Promise<Article> {
  const now = ctx.now();
  const row = toRow(undefined, input, now);
  await ctx.storage.db.transaction().execute(async (trx) => {
    await requireCollection(trx, row.collection_id);
    await insertArticle(trx, row);
  });
  return articleView(row);
}

export async function updateArticle(ctx: AppContext, id: string, input: UpdateArticleBody): Promise<Article> {
  return ctx.storage.db.transaction().execute(async (trx) => {
    const existing = await findArticle(trx, id);
    if (!existing) throw new AppError('not_found', 'no such article');
    const row = toRow(existing, input, ctx.now());
    if (row.collection_id !== existing.collection_id) await requireCollection(trx, row.collection_id);
    await updateArticleRow(trx, row);
    return articleView(row);
  });
}

export async function deleteArticle(ctx: AppContext, id: string): Promise<void> {
  const deleted = await ctx.storage.db.transaction().execute((trx) => deleteArticleRow(trx, id));
  if (!deleted) throw new AppError('not_found', 'no such article');
}

export async function getArticle(ctx: AppContext, id: string): Promise<Article> {
  const row = await findArticle(ctx.storage.db, id);
  if (!row) throw new AppError('not_found', 'no such article');
  return articleView(row);
}

/** The editor's list, or with `query` the agents' article search (every audience, ranked). */
export async function listArticles(
  ctx: AppContext,
  filter: ArticleListQuery,
): Promise<{ data: Article[]; nextCursor: string | null }> {
  const limit = filter.limit ?? 50;
  const db = ctx.storage.db;
  if (filter.query !== undefined) {
    const hits = await searchArticles(db, ctx.storage.dialect, 'staff', searchTerms(filter.query), 200);
    const rows = await Promise.all(hits.map((h) => findArticle(db, h.id)));
    const data = rows
      .filter((r): r is ArticleRow => r !== undefined)
      .filter(
        (r) =>
          (!filter.status || r.status === filter.status) &&
          (!filter.collectionId || r.collection_id === filter.collectionId),
      )
      .slice(0, limit)
      .map(articleView);
    return { data, nextCursor: null };
  }
  const rows = await listArticlesForStaff(db, {
    collectionId: filter.collectionId,
    status: filter.status,
    after: filter.cursor,
    limit,
  });
  return { data: rows.map(articleView), nextCursor: rows.length === limit ? rows.at(-1)!.id : null };
}

async function requireCollection(db: Executor, id: string): Promise<void> {
  if (!(await findCollection(db, id)))
    throw new AppError('not_found', 'no such collection', { field: 'collectionId' });
}

function toRow(existing: ArticleRow | undefined, input: UpdateArticleBody, now: number): ArticleRow {
  const audience = input.audience
    ? normalizeAudience(input.audience)
    : existing
      ? audienceOf(existing)
      : ({ type: 'everyone' } as const);
  const body = input.body ?? existing?.body ?? '';
  const status = input.status ?? existing?.status ?? 'draft';
  const wasPublished = existing?.status === 'published';
  return {
    id: existing?.id ?? newId(now),
    collection_id: input.collectionId ?? existing?.collection_id ?? '',
    title: input.title ?? existing?.title ?? '',
    body,
    body_text: articlePlainText(body),
    status,
    audience_type: audience.type,
    tags_all: JSON.stringify(audience.type === 'segment' ? audience.tagsAll : []),
    tags_any: JSON.stringify(audience.type === 'segment' ? audience.tagsAny : []),
    created_at: existing?.created_at ?? now,
    updated_at: now,
    published_at: status === 'draft' ? null : wasPublished ? (existing?.published_at ?? now) : now,
  };
}
