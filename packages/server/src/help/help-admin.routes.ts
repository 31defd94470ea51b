import {
  AccessDecision,
  Article,
  ArticleListQuery,
  CheckAccessBody,
  Collection,
  CreateArticleBody,
  CreateCollectionBody,
  HelpItemParams,
  Page,
  Preview,
  PreviewBody,
  UpdateArticleBody,
  UpdateCollectionBody,
} from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { createArticle, deleteArticle, getArticle, listArticles, updateArticle } from './articles.ts';
import { checkArticleAccess } from './check-access.ts';
import { createCollection, deleteCollection, listCollections, updateCollection } from './collections.ts';
import { renderArticleHtml } from './markdown.ts';

// Any text: an id that names nothing is a 404 whatever its shape (API.md), never a 400.

/** HELP.md "Admin and agents": collections and articles, and the per-customer access check. */
export async function helpAdminRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const staff = requireStaff(ctx);
  const tags = ['help center'];

  app.get(
    '/v1/collections',
    { preHandler: staff, schema: { tags, response: responses({ 200: Page(Collection) }) } },
    async () => ({ data: await listCollections(ctx), nextCursor: null }),
  );
  app.post(
    '/v1/collections',
    {
      preHandler: staff,
      schema: { tags, body: CreateCollectionBody, response: responses({ 201: Collection }) },
    },
    async (request, reply) => reply.status(201).send(await createCollection(ctx, request.body)),
  );
  app.patch(
    '/v1/collections/:id',
    {
      preHandler: staff,
      schema: {
        tags,
        params: HelpItemParams,
        body: UpdateCollectionBody,
        response: responses({ 200: Collection }),
      },
    },
    async (request) => updateCollection(ctx, request.params.id, request.body),
  );
  app.delete(
    '/v1/collections/:id',
    {
      preHandler: staff,
      schema: { tags, params: HelpItemParams, response: responses({ 204: Type.Null() }) },
    },
    async (request, reply) => {
      await deleteCollection(ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/articles',
    {
      preHandler: staff,
      schema: { tags, querystring: ArticleListQuery, response: responses({ 200: Page(Article) }) },
    },
    async (request) => listArticles(ctx, request.query),
  );
  app.post(
    '/v1/articles',
    { preHandler: staff, schema: { tags, body: CreateArticleBody, response: responses({ 201: Article }) } },
    async (request, reply) => reply.status(201).send(await createArticle(ctx, request.body)),
  );
  // The editor's preview: the body exactly as readers will get it, sanitized the same way.
  app.post(
    '/v1/articles/preview',
    { preHandler: staff, schema: { tags, body: PreviewBody, response: responses({ 200: Preview }) } },
    async (request) => ({ html: renderArticleHtml(request.body.body) }),
  );
  app.get(
    '/v1/articles/:id',
    { preHandler: staff, schema: { tags, params: HelpItemParams, response: responses({ 200: Article }) } },
    async (request) => getArticle(ctx, request.params.id),
  );
  app.patch(
    '/v1/articles/:id',
    {
      preHandler: staff,
      schema: {
        tags,
        params: HelpItemParams,
        body: UpdateArticleBody,
        response: responses({ 200: Article }),
      },
    },
    async (request) => updateArticle(ctx, request.params.id, request.body),
  );
  app.delete(
    '/v1/articles/:id',
    {
      preHandler: staff,
      schema: { tags, params: HelpItemParams, response: responses({ 204: Type.Null() }) },
    },
    async (request, reply) => {
      await deleteArticle(ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/v1/articles/:id/check-access',
    {
      preHandler: staff,
      schema: {
        tags,
        params: HelpItemParams,
        body: CheckAccessBody,
        response: responses({ 200: AccessDecision }),
      },
    },
    async (request) => checkArticleAccess(ctx, request.params.id, request.body.userId),
  );
}
