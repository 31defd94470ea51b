import type { AccessDecision } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { parseTags } from '../identity/tags.ts';
import { getLiveUser } from '../identity/user-view.ts';
import { findArticle } from './articles.repository.ts';
import { accessDecision } from './can-read.ts';
import { hasAuthenticatedSessionNow } from './help-passes.repository.ts';
import { accessOf } from './views.ts';

/**
 * `POST /v1/articles/:id/check-access {userId}`: whether this customer can read the
 * article now, and why, in the words can-read.ts gives. The customer is "signed in now"
 * when one of their sessions is authenticated at this moment.
 */
export async function checkArticleAccess(
  ctx: AppContext,
  articleId: string,
  userId: string,
): Promise<AccessDecision> {
  const db = ctx.storage.db;
  const article = await findArticle(db, articleId);
  if (!article) throw new AppError('not_found', 'no such article');
  const user = await getLiveUser(db, userId);
  const signedIn = await hasAuthenticatedSessionNow(db, user.id, ctx.now());
  return accessDecision(
    {
      kind: 'session',
      sessionId: '',
      userId: user.id,
      signedIn,
      tags: parseTags(user.tags),
    },
    accessOf(article),
  );
}
