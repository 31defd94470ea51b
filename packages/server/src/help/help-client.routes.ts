import {
  ArticleHits,
  ClientArticleQuery,
  HelpTicket,
  HelpTicketBody,
  RenderedArticle,
} from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { bearerToken } from '../http/access.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { type LiveClientSession, requireLiveSession } from '../identity/client-sessions.ts';
import type { Viewer } from './can-read.ts';
import { issueHelpTicket } from './help-pass.ts';
import { readArticle, renderedArticle, searchReadable } from './read-articles.ts';
import { viewerOf } from './viewer.ts';

// Any text: an id that names nothing is a 404 whatever its shape (API.md), never a 400.
const IdParams = Type.Object({ id: Type.String() });

/** HELP.md "Client API": what the messenger reads, as the session it holds. */
export async function helpClientRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const tags = ['client'];

  app.get(
    '/v1/client/articles',
    { schema: { tags, querystring: ClientArticleQuery, response: responses({ 200: ArticleHits }) } },
    async (request) => {
      const viewer = await clientViewer(ctx, request);
      return {
        data: await searchReadable(ctx, viewer, request.query.query, request.query.limit ?? 10),
        nextCursor: null,
      };
    },
  );
  app.get(
    '/v1/client/articles/:id',
    { schema: { tags, params: IdParams, response: responses({ 200: RenderedArticle }) } },
    async (request) => {
      const viewer = await clientViewer(ctx, request);
      return renderedArticle(await readArticle(ctx, viewer, request.params.id));
    },
  );
  app.post(
    '/v1/client/help-ticket',
    { schema: { tags, body: HelpTicketBody, response: responses({ 200: HelpTicket }) } },
    async (request) => {
      const ticket = await issueHelpTicket(ctx, bearerToken(request), request.body.articleId);
      return { url: `${request.protocol}://${request.host}/help/auth?ticket=${ticket}` };
    },
  );
}

/**
 * The client API's viewer: a session that is not live is refused (401), as on every
 * client route. Where the session was already checked before the body was read, that
 * check's answer is used rather than a second lookup.
 */
async function clientViewer(ctx: AppContext, request: FastifyRequest): Promise<Viewer> {
  const checked = (request as { clientSession?: LiveClientSession }).clientSession;
  return viewerOf(checked ?? (await requireLiveSession(ctx, bearerToken(request))));
}
