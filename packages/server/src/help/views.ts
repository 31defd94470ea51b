import type { Article, Audience, Collection } from '@signet/protocol';
import type { HelpCollectionRow } from '../db/schema.ts';
import { iso, isoOrNull } from '../identity/user-view.ts';
import type { ArticleRow } from './articles.repository.ts';
import type { ArticleAccess } from './can-read.ts';

export function collectionView(row: HelpCollectionRow): Collection {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    position: row.position,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function audienceOf(
  row: Pick<ArticleRow, 'audience_type' | 'tags_all' | 'tags_any'>,
): ArticleAccess['audience'] {
  if (row.audience_type !== 'segment') return { type: row.audience_type };
  return { type: 'segment', tagsAll: JSON.parse(row.tags_all), tagsAny: JSON.parse(row.tags_any) };
}

export function accessOf(row: ArticleRow): ArticleAccess {
  return { status: row.status, audience: audienceOf(row) };
}

export function articleView(row: ArticleRow): Article {
  return {
    id: row.id,
    collectionId: row.collection_id,
    title: row.title,
    body: row.body,
    status: row.status,
    audience: audienceOf(row) as Audience,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    publishedAt: isoOrNull(row.published_at),
  };
}

/** Audience as given → as stored: tags lowercased (IDENTITY.md §2) and deduplicated. */
export function normalizeAudience(audience: Audience): ArticleAccess['audience'] {
  if (audience.type !== 'segment') return { type: audience.type };
  const clean = (tags: string[] | undefined) => [...new Set((tags ?? []).map((t) => t.toLowerCase()))].sort();
  return { type: 'segment', tagsAll: clean(audience.tagsAll), tagsAny: clean(audience.tagsAny) };
}

/** Words of a search box: letters and digits only, so no query syntax reaches FTS. */
export function searchTerms(query: string | undefined): string[] {
  const words = (query ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.map((w) => w.slice(0, 64)))].slice(0, 8);
}
