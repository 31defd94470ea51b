/**
 * HELP.md "One rule, everywhere": who may read an article. Search, lists, counts, the
 * sitemap and the bot's suggestions apply it inside their SQL (`readableBy` in
 * articles.repository.ts), so what a viewer may not read never leaves the database; an
 * article's text is served (pages, the client API) only when this function agrees too,
 * and the agents' access check explains its answer. A property test holds the two
 * spellings of the rule to the same answers.
 */

/** A client session (anonymous, or authenticated now: IDENTITY.md §7), or nobody. */
export type Viewer =
  | { kind: 'nobody' }
  | { kind: 'session'; sessionId: string; userId: string; signedIn: boolean; tags: readonly string[] };

export const NOBODY: Viewer = { kind: 'nobody' };

export type ArticleAccess = {
  status: 'draft' | 'published';
  audience:
    | { type: 'everyone' }
    | { type: 'signed_in' }
    | { type: 'segment'; tagsAll: string[]; tagsAny: string[] };
};

export type AccessDecision = { canRead: boolean; reason: string };

export function accessDecision(viewer: Viewer, article: ArticleAccess): AccessDecision {
  if (article.status !== 'published') return { canRead: false, reason: 'not published' };
  const { audience } = article;
  if (audience.type === 'everyone') return { canRead: true, reason: 'for everyone' };
  // An anonymous session reads `everyone` articles only, whatever tags its user has.
  if (viewer.kind === 'nobody' || !viewer.signedIn) return { canRead: false, reason: 'not signed in now' };
  if (audience.type === 'signed_in') return { canRead: true, reason: 'signed in now' };
  const has = new Set(viewer.tags);
  const missing = audience.tagsAll.filter((t) => !has.has(t));
  if (missing.length > 0) return { canRead: false, reason: `lacks tag ${missing.join(', ')}` };
  if (audience.tagsAny.length > 0 && !audience.tagsAny.some((t) => has.has(t)))
    return { canRead: false, reason: `has none of the tags ${audience.tagsAny.join(', ')}` };
  return { canRead: true, reason: 'signed in now, with the tags' };
}

export function canRead(viewer: Viewer, article: ArticleAccess): boolean {
  return accessDecision(viewer, article).canRead;
}
