import {
  CreatedWebhookEndpoint,
  CreateWebhookBody,
  ListWebhookDeliveriesQuery,
  Page,
  PatchWebhookBody,
  ReplayWebhookBody,
  ReplayWebhookResponse,
  WebhookDelivery,
  WebhookDeliveryParams,
  WebhookEndpoint,
  WebhookParams,
} from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { listEndpointDeliveries, replayEvents, retryDelivery, sendTestEvent } from './delivery-log.ts';
import {
  changeEndpoint,
  createEndpoint,
  endpointView,
  getEndpointRow,
  listWebhookEndpoints,
  removeEndpoint,
  rotateSecret,
} from './endpoints.ts';

/** WEBHOOKS.md "Endpoints": admins only. */
export async function webhookRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const admin = requireStaff(ctx, 'admin');
  const tags = ['webhooks'];

  app.post(
    '/v1/webhooks',
    {
      preHandler: admin,
      schema: { tags, body: CreateWebhookBody, response: responses({ 201: CreatedWebhookEndpoint }) },
    },
    async (request, reply) => reply.status(201).send(await createEndpoint(ctx, request.body)),
  );

  app.get(
    '/v1/webhooks',
    { preHandler: admin, schema: { tags, response: responses({ 200: Page(WebhookEndpoint) }) } },
    async () => ({ data: await listWebhookEndpoints(ctx), nextCursor: null }),
  );

  app.get(
    '/v1/webhooks/:id',
    {
      preHandler: admin,
      schema: { tags, params: WebhookParams, response: responses({ 200: WebhookEndpoint }) },
    },
    async (request) => endpointView(await getEndpointRow(ctx, request.params.id)),
  );

  app.patch(
    '/v1/webhooks/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        params: WebhookParams,
        body: PatchWebhookBody,
        response: responses({ 200: WebhookEndpoint }),
      },
    },
    async (request) => changeEndpoint(ctx, request.params.id, request.body),
  );

  app.delete(
    '/v1/webhooks/:id',
    { preHandler: admin, schema: { tags, params: WebhookParams, response: responses({ 204: Type.Null() }) } },
    async (request, reply) => {
      await removeEndpoint(ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/webhooks/:id/rotate-secret',
    {
      preHandler: admin,
      schema: { tags, params: WebhookParams, response: responses({ 200: CreatedWebhookEndpoint }) },
    },
    async (request) => rotateSecret(ctx, request.params.id),
  );

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      preHandler: admin,
      schema: {
        tags,
        params: WebhookParams,
        querystring: ListWebhookDeliveriesQuery,
        response: responses({ 200: Page(WebhookDelivery) }),
      },
    },
    async (request) => listEndpointDeliveries(ctx, request.params.id, request.query),
  );

  app.post(
    '/v1/webhooks/:id/deliveries/:deliveryId/retry',
    {
      preHandler: admin,
      schema: { tags, params: WebhookDeliveryParams, response: responses({ 202: WebhookDelivery }) },
    },
    async (request, reply) =>
      reply.status(202).send(await retryDelivery(ctx, request.params.id, request.params.deliveryId)),
  );

  app.post(
    '/v1/webhooks/:id/replay',
    {
      preHandler: admin,
      schema: {
        tags,
        params: WebhookParams,
        body: ReplayWebhookBody,
        response: responses({ 202: ReplayWebhookResponse }),
      },
    },
    async (request, reply) =>
      reply.status(202).send({ queued: await replayEvents(ctx, request.params.id, request.body) }),
  );

  app.post(
    '/v1/webhooks/:id/test',
    {
      preHandler: admin,
      schema: { tags, params: WebhookParams, response: responses({ 202: WebhookDelivery }) },
    },
    async (request, reply) => reply.status(202).send(await sendTestEvent(ctx, request.params.id)),
  );
}
