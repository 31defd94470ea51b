import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';
import { forge } from './token-battery.ts';

/** IDENTITY.md §5: one row per login attempt, searchable by what an integrator knows. */
describe.each(DATABASES)('the auth log on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  const list = async (query: string) =>
    (await server.request('GET', `/v1/auth-events?${query}`, { token: server.adminToken })).json();

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
  });
  afterAll(() => server.close());

  it('records a success with how the user was found, the email outcome, exp, IP and user agent', async () => {
    const externalId = uniqueExternalId('ok');
    const device = await anonymousSession(server);
    const jwt = await signUserToken(key, {
      external_id: externalId,
      email: `${externalId}@x.example`,
      exp: Math.floor(Date.now() / 1000) + 300,
    });
    const body = (
      await server.request('POST', '/v1/client/login', {
        body: { jwt },
        token: device.sessionToken,
        headers: { 'user-agent': 'ShopApp/1.0' },
      })
    ).json();
    const [event] = (await list(`externalId=${externalId}`)).data;
    expect(event).toMatchObject({
      outcome: 'ok',
      kid: key.kid,
      externalId,
      externalIdVerified: true,
      userId: body.user.id,
      resolution: 'created',
      mergedAnonymous: true,
      emailOutcome: 'ignored_unverified',
      hadExp: true,
      ip: '127.0.0.1',
      userAgent: 'ShopApp/1.0',
    });
  });

  it('records a failure with the unverified external id, searchable by it', async () => {
    const externalId = uniqueExternalId('forged');
    await login(
      server,
      forge(
        { kid: key.kid, secret: 'wrong secret' },
        { payload: { scope: 'user', external_id: externalId } },
      ),
    );
    const [event] = (await list(`externalId=${externalId}`)).data;
    expect(event).toMatchObject({
      outcome: 'bad_signature',
      kid: key.kid,
      externalId,
      externalIdVerified: false,
      userId: null,
      hadExp: false,
    });
  });

  it('filters by outcome, kid and user, and pages with a cursor', async () => {
    const externalId = uniqueExternalId('paged');
    const jwt = await signUserToken(key, { external_id: externalId });
    const userId = (await login(server, jwt)).json().user.id;
    for (let i = 0; i < 4; i++) await login(server, jwt);
    await login(server, await signUserToken(key, { external_id: externalId, exp: 1 }));

    const mine = (await list(`userId=${userId}`)).data;
    expect(mine).toHaveLength(5);
    expect((await list(`externalId=${externalId}&outcome=expired`)).data).toHaveLength(1);
    expect(
      (await list(`kid=${key.kid}&outcome=ok&limit=200`)).data.every(
        (e: { kid: string; outcome: string }) => e.kid === key.kid && e.outcome === 'ok',
      ),
    ).toBe(true);

    const first = await list(`userId=${userId}&limit=2`);
    const second = await list(`userId=${userId}&limit=2&before=${first.nextCursor}`);
    const third = await list(`userId=${userId}&limit=2&before=${second.nextCursor}`);
    const ids = [...first.data, ...second.data, ...third.data].map((e: { id: string }) => e.id);
    expect(ids).toEqual(mine.map((e: { id: string }) => e.id));
    expect(third.nextCursor).toBeNull();
  });

  it('is admin-only', async () => {
    expect((await server.request('GET', '/v1/auth-events', { token: server.agentToken })).statusCode).toBe(
      403,
    );
  });
});
