import type {
  CreatedWebhookEndpoint,
  CreateWebhookBody,
  ListWebhookDeliveriesQuery,
  PatchWebhookBody,
  ReplayWebhookBody,
  ReplayWebhookResponse,
  WebhookDelivery,
  WebhookEndpoint,
} from '@signet/protocol';
import { type Page, segment, type Transport } from './http.ts';

export type WebhookDeliveriesQuery = ListWebhookDeliveriesQuery;

/** `/v1/webhooks` (WEBHOOKS.md, admin): endpoints, their secrets, the delivery log. */
export type WebhooksApi = {
  /** 201 with the secret (`whsec_…`), shown only here and on rotation. */
  create(body: CreateWebhookBody): Promise<CreatedWebhookEndpoint>;
  list(): Promise<Page<WebhookEndpoint>>;
  get(id: string): Promise<WebhookEndpoint>;
  /** Change the URL, events or description, or turn the endpoint on and off (`enabled`). */
  update(id: string, body: PatchWebhookBody): Promise<WebhookEndpoint>;
  delete(id: string): Promise<void>;
  /** A new secret; the old one keeps signing beside it for the overlap. */
  rotateSecret(id: string): Promise<CreatedWebhookEndpoint>;
  deliveries(id: string, query?: WebhookDeliveriesQuery): Promise<Page<WebhookDelivery>>;
  /** Sends a delivery again now, with the same `webhook-id`. */
  retry(id: string, deliveryId: string): Promise<WebhookDelivery>;
  /** Queues the events of a time range again; answers how many. */
  replay(id: string, body: ReplayWebhookBody): Promise<ReplayWebhookResponse>;
  /** Sends a `webhook.test` event now. */
  test(id: string): Promise<WebhookDelivery>;
};

export function webhooksApi(request: Transport): WebhooksApi {
  const path = (id: string, rest = '') => `/v1/webhooks/${segment(id)}${rest}`;
  return {
    create: async (body) => (await request<CreatedWebhookEndpoint>('POST', '/v1/webhooks', { body })).body,
    list: async () => (await request<Page<WebhookEndpoint>>('GET', '/v1/webhooks')).body,
    get: async (id) => (await request<WebhookEndpoint>('GET', path(id))).body,
    update: async (id, body) => (await request<WebhookEndpoint>('PATCH', path(id), { body })).body,
    async delete(id) {
      await request('DELETE', path(id));
    },
    rotateSecret: async (id) =>
      (await request<CreatedWebhookEndpoint>('POST', path(id, '/rotate-secret'))).body,
    deliveries: async (id, query = {}) =>
      (await request<Page<WebhookDelivery>>('GET', path(id, '/deliveries'), { query })).body,
    retry: async (id, deliveryId) =>
      (await request<WebhookDelivery>('POST', path(id, `/deliveries/${segment(deliveryId)}/retry`))).body,
    replay: async (id, body) =>
      (await request<ReplayWebhookResponse>('POST', path(id, '/replay'), { body })).body,
    test: async (id) => (await request<WebhookDelivery>('POST', path(id, '/test'))).body,
  };
}
