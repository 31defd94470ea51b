import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from './factories.ts';
import { DATABASES, leakedSecrets, startTestServer, type TestServer } from './harness.ts';
import { ACCEPTED, BATTERY } from './token-battery.ts';

/** The forged-token battery over HTTP: the right reason in the response and in the auth log. */
describe.each(DATABASES)('login with forged and malformed tokens on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
  });
  afterAll(async () => {
    expect(leakedSecrets(server)).toEqual([]);
    await server.close();
  });

  it.each(BATTERY)('$name → 401 $reason, logged', async ({ token, reason, claim }) => {
    const jwt = token(key);
    server.secrets.add(jwt);
    const response = await login(server, jwt);
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toMatchObject({
      code: 'invalid_token',
      reason,
      ...(claim ? { claim } : {}),
    });
    expect(response.body).not.toContain(key.secret);

    const [event] = (
      await server.request('GET', '/v1/auth-events?limit=1', { token: server.adminToken })
    ).json().data;
    expect(event).toMatchObject({ outcome: reason, userId: null, externalIdVerified: false });
    if (claim) expect(event.claim).toBe(claim);
  });

  it.each(ACCEPTED)('$name → 200', async ({ token, externalId }) => {
    const response = await login(server, token(key));
    expect(response.statusCode).toBe(200);
    expect(response.json().user.externalId).toBe(externalId);
  });

  it('never stores a token in the auth log', async () => {
    const rows = await server.runtime.storage.db.selectFrom('auth_events').selectAll().execute();
    const dump = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThan(BATTERY.length);
    for (const secret of server.secrets) expect(dump).not.toContain(secret);
  });
});
