import { HelpItemParams } from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { readCookie } from '../http/cookies.ts';
import type { App } from '../http/types.ts';
import type { Viewer } from './can-read.ts';
import { findCollection } from './collections.repository.ts';
import { exchangeHelpTicket, HELP_COOKIE, helpCookieViewer } from './help-pass.ts';
import { renderArticleHtml } from './markdown.ts';
import {
  articlePage,
  collectionPage,
  expiredLinkPage,
  HELP_CSS,
  homePage,
  layout,
  notFoundPage,
  searchPage,
  sitemap,
} from './pages.ts';
import {
  articlePath,
  collectionWithArticles,
  helpHome,
  readArticle,
  searchReadable,
  sitemapArticles,
} from './read-articles.ts';
import { collectionView } from './views.ts';

/** No script may run on a help page; styles and images only from where they should come. */
export const HELP_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

// Any text: an id that names nothing is a 404 whatever its shape (API.md), never a 400.
const SearchQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) });
const AuthQuery = Type.Object({ ticket: Type.Optional(Type.String({ maxLength: 200 })) });

/** `/help`: server-rendered pages, each for the viewer its help cookie names (HELP.md). */
export async function helpPageRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', HELP_CSP);
    reply.header('x-content-type-options', 'nosniff');
    // A ticket in the URL, or which articles someone reads, never leaves in a Referer.
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'private, no-store');
    reply.header('vary', 'cookie');
  });

  const viewerOf = async (request: FastifyRequest, reply: FastifyReply): Promise<Viewer> => {
    const { viewer, ended } = await helpCookieViewer(ctx, readCookie(request, HELP_COOKIE));
    // The cookie ends with its session.
    if (ended) reply.header('set-cookie', `${HELP_COOKIE}=; Path=/help; HttpOnly; SameSite=Lax; Max-Age=0`);
    return viewer;
  };
  const html = (reply: FastifyReply, status: number, page: string) =>
    reply.status(status).header('content-type', 'text/html; charset=utf-8').send(page);
  const notFound = (reply: FastifyReply) =>
    html(reply, 404, layout({ title: 'Not found', body: notFoundPage(), noindex: true }));
  const signedIn = (viewer: Viewer) => viewer.kind === 'session';

  app.get('/help/help.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').send(HELP_CSS),
  );

  app.get('/help', { schema: { hide: true } }, async (request, reply) => {
    const viewer = await viewerOf(request, reply);
    const body = homePage(await helpHome(ctx, viewer));
    return html(reply, 200, layout({ title: 'Help center', body, noindex: signedIn(viewer) }));
  });

  app.get(
    '/help/collections/:id',
    { schema: { hide: true, params: HelpItemParams } },
    async (request, reply) => {
      const viewer = await viewerOf(request, reply);
      const found = await notFoundAsUndefined(collectionWithArticles(ctx, viewer, request.params.id));
      if (!found) return notFound(reply);
      const body = collectionPage(found.collection, found.articles);
      return html(reply, 200, layout({ title: found.collection.title, body, noindex: signedIn(viewer) }));
    },
  );

  app.get(
    '/help/articles/:id',
    { schema: { hide: true, params: HelpItemParams } },
    async (request, reply) => {
      const viewer = await viewerOf(request, reply);
      const article = await notFoundAsUndefined(readArticle(ctx, viewer, request.params.id));
      if (!article) return notFound(reply);
      const collection = await findCollection(ctx.storage.db, article.collection_id);
      // HELP.md: private articles carry noindex.
      const noindex = article.audience_type !== 'everyone' || signedIn(viewer);
      if (article.audience_type !== 'everyone') reply.header('x-robots-tag', 'noindex');
      const body = articlePage(
        article,
        renderArticleHtml(article.body),
        collection && collectionView(collection),
      );
      return html(reply, 200, layout({ title: article.title, body, noindex }));
    },
  );

  app.get('/help/search', { schema: { hide: true, querystring: SearchQuery } }, async (request, reply) => {
    const viewer = await viewerOf(request, reply);
    const query = request.query.q?.trim() ?? '';
    const hits = query ? await searchReadable(ctx, viewer, query, 20) : [];
    return html(reply, 200, layout({ title: 'Search', body: searchPage(query, hits), noindex: true, query }));
  });

  app.get('/help/sitemap.xml', { schema: { hide: true } }, async (request, reply) =>
    reply
      .header('content-type', 'application/xml; charset=utf-8')
      .send(sitemap(`${request.protocol}://${request.host}`, await sitemapArticles(ctx))),
  );

  // The ticket rides in the URL (HELP.md); this route's requests are not logged, so it
  // never reaches a log line, spent or not.
  app.get(
    '/help/auth',
    { logLevel: 'warn', schema: { hide: true, querystring: AuthQuery } },
    async (request, reply) => {
      const exchanged = request.query.ticket
        ? await exchangeHelpTicket(ctx, request.query.ticket)
        : undefined;
      if (!exchanged)
        return html(reply, 400, layout({ title: 'Link expired', body: expiredLinkPage(), noindex: true }));
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${HELP_COOKIE}=${exchanged.cookie}; Path=/help; HttpOnly; SameSite=Lax${secure}`,
      );
      return reply.redirect(exchanged.articleId ? articlePath(exchanged.articleId) : '/help', 303);
    },
  );
}

async function notFoundAsUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return undefined;
    throw error;
  }
}
