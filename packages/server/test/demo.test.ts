import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMERS } from '../src/demo/demo-customers.ts';
import { login } from './factories.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';

describe.each(DATABASES)('the demo shop on %s', (kind) => {
  let server: TestServer;
  const ada = DEMO_CUSTOMERS[0]!;
  const demoToken = (body: Record<string, unknown>) => server.request('POST', '/demo/token', { body });
  const demoKeys = async () =>
    (await server.request('GET', '/v1/signing-keys', { token: server.adminToken }))
      .json()
      .data.filter((k: { name: string }) => k.name === 'Demo shop');

  beforeAll(async () => {
    // A restart must read the demo key's secret back: the same master key each time.
    server = await startTestServer(kind, {
      SIGNET_DEMO: '1',
      SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
    });
  });
  afterAll(() => server.close());

  it('signs for a demo customer: the token logs in as that customer, with its tags', async () => {
    expect(ada.externalId.startsWith('demo-')).toBe(true);
    const signed = await demoToken({ externalId: ada.externalId, email: ada.email, expiresIn: 600 });
    expect(signed.statusCode).toBe(200);
    const session = await login(server, signed.json().jwt);
    expect(session.statusCode).toBe(200);
    expect(session.json().user).toMatchObject({
      externalId: ada.externalId,
      email: ada.email,
      name: ada.name,
    });
    const payload = JSON.parse(Buffer.from(signed.json().jwt.split('.')[1], 'base64url').toString());
    expect(payload.tags).toEqual(ada.tags);
  });

  it('seeds the help center once: everyone, signed-in and plan:pro articles, each for its readers', async () => {
    const titles = async (token: string) =>
      (await server.request('GET', '/v1/client/articles?limit=50', { token }))
        .json()
        .data.map((a: { title: string }) => a.title);
    const articles = (await server.request('GET', '/v1/articles', { token: server.adminToken })).json().data;
    expect(articles.map((a: { audience: { type: string } }) => a.audience.type).sort()).toEqual([
      'everyone',
      'everyone',
      'segment',
      'signed_in',
    ]);
    const pro = 'Pro members: free express shipping';
    const address = 'Change your delivery address';
    const anonymous = (await server.request('POST', '/v1/client/sessions', { body: {} })).json().sessionToken;
    expect(await titles(anonymous)).not.toContain(address);
    const loginAs = async (externalId: string) =>
      (await login(server, (await demoToken({ externalId })).json().jwt)).json().sessionToken as string;
    const alan = await titles(await loginAs('demo-alan'));
    expect(alan).toContain(address);
    expect(alan).not.toContain(pro);
    expect(await titles(await loginAs('demo-ada'))).toContain(pro);

    // A restart does not seed again.
    server = await server.restart();
    expect(
      (await server.request('GET', '/v1/articles', { token: server.adminToken })).json().data,
    ).toHaveLength(4);
  });

  it('refuses anyone else: a foreign external id, another email or name → 400', async () => {
    for (const body of [
      { externalId: 'cust-1001' },
      { externalId: 'demo-nobody' },
      { externalId: 'admin' },
      { externalId: ada.externalId, email: 'ceo@shop.example' },
      { externalId: ada.externalId, email: 'grace@example.com' },
      { externalId: ada.externalId, name: 'Mallory' },
    ]) {
      const refused = await demoToken(body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json().error.code).toBe('not_a_demo_customer');
      expect(refused.body).not.toContain('jwt');
    }
  });

  it('the "Demo shop" key is listed once, survives a restart, and deleting it stops demo logins', async () => {
    const keys = await demoKeys();
    expect(keys).toHaveLength(1);
    server = await server.restart();
    expect((await demoKeys()).map((k: { kid: string }) => k.kid)).toEqual([keys[0].kid]);

    const earlierResponse = await demoToken({ externalId: ada.externalId });
    expect(earlierResponse.statusCode, earlierResponse.body).toBe(200);
    const earlier = earlierResponse.json().jwt;
    const deleted = await server.request('DELETE', `/v1/signing-keys/${keys[0].kid}`, {
      token: server.adminToken,
    });
    expect(deleted.statusCode).toBe(204);
    const refused = await login(server, earlier);
    expect(refused.statusCode, refused.body).toBe(401);
    const after = await demoToken({ externalId: ada.externalId });
    expect(after.statusCode).toBe(409);
    expect(await demoKeys()).toHaveLength(0);

    // The next start makes a fresh key, and demo logins work again.
    server = await server.restart();
    const fresh = await demoKeys();
    expect(fresh).toHaveLength(1);
    expect(fresh[0].kid).not.toBe(keys[0].kid);
    expect(
      (await login(server, (await demoToken({ externalId: ada.externalId })).json().jwt)).statusCode,
    ).toBe(200);
  });
});

describe('the demo shop off', () => {
  it('is not served on a non-loopback HOST without SIGNET_DEMO=1, nor with SIGNET_DEMO=0', async () => {
    const cases: Record<string, string>[] = [
      { HOST: '0.0.0.0', SIGNET_DEMO: 'auto' },
      { HOST: '192.168.1.10', SIGNET_DEMO: 'auto' },
      { HOST: '127.0.0.1', SIGNET_DEMO: '0' },
    ];
    for (const env of cases) {
      const server = await startTestServer('sqlite', env);
      try {
        expect((await server.request('GET', '/demo')).statusCode, JSON.stringify(env)).toBe(404);
        const token = await server.request('POST', '/demo/token', { body: { externalId: 'demo-ada' } });
        expect(token.statusCode).toBe(404);
        const keys = (await server.request('GET', '/v1/signing-keys', { token: server.adminToken })).json()
          .data;
        expect(keys.filter((k: { name: string }) => k.name === 'Demo shop')).toHaveLength(0);
      } finally {
        await server.close();
      }
    }
  });

  it('is served on loopback by default', async () => {
    const server = await startTestServer('sqlite', { HOST: '127.0.0.1', SIGNET_DEMO: 'auto' });
    try {
      expect((await server.request('GET', '/demo')).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });
});
