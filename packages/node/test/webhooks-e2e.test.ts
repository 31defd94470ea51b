import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminClient, type SignetAdmin, signUserToken, verifyWebhook } from '@signet/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, uniqueExternalId } from '../../server/test/harness.ts';

type Received = { headers: IncomingHttpHeaders; body: string };

/**
 * An integrator's whole loop: the admin client registers an endpoint, a customer logs
 * in with a token from signUserToken, Signet delivers the change, verifyWebhook accepts
 * it (and refuses it once altered); rotation, the test event and the delivery log too.
 */
describe('webhooks from registration to a verified delivery', () => {
  let server: TestServer;
  let admin: SignetAdmin;
  const received: Received[] = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(200).end();
    });
  });
  const waitFor = async (match: (r: Received) => boolean): Promise<Received> => {
    for (let i = 0; i < 100; i++) {
      const found = received.find(match);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('no such delivery within 10 s');
  };

  beforeAll(async () => {
    server = await startTestServer('sqlite', { WEBHOOK_ALLOW_PRIVATE: '1' });
    admin = createAdminClient({ baseUrl: (await server.listen()).http, apiToken: server.adminToken });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    receiver.close();
    await server.close();
  });

  it('delivers a login as user.authenticated, verified by verifyWebhook; then test, log and rotation', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/signet`;
    const endpoint = await admin.webhooks.create({ url, events: ['user.authenticated'] });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await admin.webhooks.list()).data.map((e) => e.id)).toContain(endpoint.id);

    const key = await server.createKey();
    const externalId = uniqueExternalId('hook');
    const jwt = await signUserToken(key, { external_id: externalId, name: 'Ada' }, { expiresIn: '5m' });
    expect((await server.request('POST', '/v1/client/login', { body: { jwt } })).statusCode).toBe(200);

    const delivery = await waitFor((r) => r.body.includes(externalId));
    const event = verifyWebhook<{ type: string; data: { user: { externalId: string } } }>(
      endpoint.secret,
      delivery.headers as Record<string, string>,
      delivery.body,
    );
    expect(event.type).toBe('user.authenticated');
    expect(event.data.user.externalId).toBe(externalId);
    expect(() =>
      verifyWebhook(
        endpoint.secret,
        delivery.headers as Record<string, string>,
        delivery.body.replace('Ada', 'Eve'),
      ),
    ).toThrow();

    const test = await admin.webhooks.test(endpoint.id);
    await waitFor((r) => r.headers['webhook-id'] === test.eventId || r.body.includes('webhook.test'));
    const log = await admin.webhooks.deliveries(endpoint.id);
    expect(log.data.length).toBeGreaterThanOrEqual(2);

    const rotated = await admin.webhooks.rotateSecret(endpoint.id);
    expect(rotated.secret).not.toBe(endpoint.secret);
    await admin.webhooks.delete(endpoint.id);
    expect((await admin.webhooks.list()).data.map((e) => e.id)).not.toContain(endpoint.id);
  });
});
