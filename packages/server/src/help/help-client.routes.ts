import {
  ArticleHits,
  ClientArticleQuery,
  HelpItemParams,
  HelpTicket,
  HelpTicketBody,
  RenderedArticle,
} from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { bearerToken } from '../http/access.ts';
import { clientSessionOf } from '../http/authenticate-first.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { issueHelpTicket } from './help-pass.ts';
import { readArticle, renderedArticle, searchReadable } from './read-articles.ts';
import { viewerOf } from './viewer.ts';

// Any text: an id that names nothing is a 404 whatever its shape (API.md), never a 400.

/** HELP.md "Client API": what the messenger reads, as the session it holds. */
export async function helpClientRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const tags = ['client'];

  app.get(
    '/v1/client/articles',
    { schema: { tags, querystring: ClientArticleQuery, response: responses({ 200: ArticleHits }) } },
    async (request) => {
      const viewer = viewerOf(clientSessionOf(request));
      return {
        data: await searchReadable(ctx, viewer, request.query.query, request.query.limit ?? 10),
        nextCursor: null,
      };
    },
  );
  app.get(
    '/v1/client/articles/:id',
    { schema: { tags, params: HelpItemParams, response: responses({ 200: RenderedArticle }) } },
    async (request) => {
      const viewer = viewerOf(clientSessionOf(request));
      return renderedArticle(await readArticle(ctx, viewer, request.params.id));
    },
  );
  app.post(
    '/v1/client/help-ticket',
    { schema: { tags, body: HelpTicketBody, response: responses({ 200: HelpTicket }) } },
    async (request) => {
      const ticket = await issueHelpTicket(
        ctx,
        clientSessionOf(request),
        bearerToken(request)!,
        request.body.articleId,
      );
      return { url: `${request.protocol}://${request.host}/help/auth?ticket=${ticket}` };
    },
  );
}
