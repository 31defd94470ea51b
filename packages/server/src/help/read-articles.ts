import type { ArticleHit, Collection, RenderedArticle } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { iso } from '../identity/user-view.ts';
import {
  type ArticleRow,
  countReadableByCollection,
  findReadableArticle,
  listReadableArticles,
} from './articles.repository.ts';
import { canRead, NOBODY, type Viewer } from './can-read.ts';
import { findCollection, listCollections } from './collections.repository.ts';
import { escapeHtml, renderArticleHtml } from './markdown.ts';
import { searchArticles } from './search.repository.ts';
import { highlightedSnippet } from './snippet.ts';
import { accessOf, collectionView, searchTerms } from './views.ts';

/** What readers get, each read filtered by can-read's rule inside its query (HELP.md). */
export const articlePath = (id: string): string => `/help/articles/${encodeURIComponent(id)}`;

export async function searchReadable(
  ctx: AppContext,
  viewer: Viewer,
  query: string | undefined,
  limit: number,
): Promise<ArticleHit[]> {
  const terms = searchTerms(query);
  if (terms.length === 0) {
    const rows = await listReadableArticles(ctx.storage.db, viewer, { limit });
    return rows.map((r) => hit(r.id, r.collection_id, r.title, escapeHtml(opening(r.body_text))));
  }
  const rows = await searchArticles(ctx.storage.db, ctx.storage.dialect, viewer, terms, limit);
  return rows.map((r) => hit(r.id, r.collection_id, r.title, highlightedSnippet(r.body_text, terms)));
}

export async function readArticle(ctx: AppContext, viewer: Viewer, id: string): Promise<ArticleRow> {
  const row = await findReadableArticle(ctx.storage.db, viewer, id);
  // The SQL filter chose it, and the rule itself must agree before any text leaves. The
  // same answer for "does not exist" and "not for you": existence is not revealed.
  if (!row || !canRead(viewer, accessOf(row))) throw new AppError('not_found', 'no such article');
  return row;
}

export function renderedArticle(row: ArticleRow): RenderedArticle {
  return {
    id: row.id,
    collectionId: row.collection_id,
    title: row.title,
    html: renderArticleHtml(row.body),
    updatedAt: iso(row.updated_at),
    url: articlePath(row.id),
  };
}

export async function helpHome(
  ctx: AppContext,
  viewer: Viewer,
): Promise<Array<Collection & { articleCount: number }>> {
  const db = ctx.storage.db;
  const [collections, counts] = await Promise.all([
    listCollections(db),
    countReadableByCollection(db, viewer),
  ]);
  return collections.map((c) => ({ ...collectionView(c), articleCount: counts.get(c.id) ?? 0 }));
}

export async function collectionWithArticles(
  ctx: AppContext,
  viewer: Viewer,
  id: string,
): Promise<{ collection: Collection; articles: ArticleRow[] }> {
  const db = ctx.storage.db;
  const collection = await findCollection(db, id);
  if (!collection) throw new AppError('not_found', 'no such collection');
  const articles = await listReadableArticles(db, viewer, { collectionId: id, limit: 500 });
  return { collection: collectionView(collection), articles };
}

/** The sitemap is for crawlers: `everyone` articles only, whoever asks (HELP.md). */
export async function sitemapArticles(ctx: AppContext): Promise<ArticleRow[]> {
  return listReadableArticles(ctx.storage.db, NOBODY, { limit: 50_000 });
}

function hit(id: string, collectionId: string, title: string, snippet: string): ArticleHit {
  return { id, collectionId, title, snippet, url: articlePath(id) };
}

function opening(text: string): string {
  return text.length <= 160 ? text : `${text.slice(0, 160).replace(/\s+\S*$/, '')}…`;
}
