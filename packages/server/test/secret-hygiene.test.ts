import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login } from './factories.ts';
import {
  DATABASES,
  leakedSecrets,
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from './harness.ts';

/**
 * With the most verbose logging on, a whole session of work (keys, logins, failures,
 * 500-free bad input) leaves no credential in the logs, and list responses hold none.
 */
describe.each(DATABASES)('secrets stay out of logs and responses on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(kind, { LOG_LEVEL: 'trace' });
  });
  afterAll(() => server.close());

  it('logs requests but never a token, secret or password', async () => {
    const created = await server.request('POST', '/v1/signing-keys', {
      token: server.adminToken,
      body: { name: 'k' },
    });
    const key = created.json();
    const device = await anonymousSession(server);
    const jwt = await signUserToken(key, { external_id: uniqueExternalId() }, server.secrets);
    const session = (await login(server, jwt, device.sessionToken)).json();
    await login(server, `${jwt}tampered`);
    await server.request('POST', '/v1/client/login', {
      body: `{"jwt": "${jwt}"`,
      headers: { 'content-type': 'application/json' },
    });
    await server.request('GET', '/v1/client/session', { token: session.sessionToken });
    await server.request('GET', '/v1/client/session', { token: 'sst_not-a-real-token-at-all-xxxxxxxx' });
    expect(
      (await server.request('POST', '/v1/client/logout', { token: session.sessionToken })).statusCode,
    ).toBe(204);
    const password = 'correct horse battery staple';
    server.secrets.add(password);
    const { createAgent } = await import('../src/agents/create-agent.ts');
    await createAgent(server.runtime, { email: 'a@x.example', name: 'A', role: 'agent', password });

    const listed = await server.request('GET', '/v1/signing-keys', { token: server.adminToken });
    expect(listed.body).not.toContain(key.secret);
    const events = await server.request('GET', '/v1/auth-events?limit=200', { token: server.adminToken });
    for (const secret of server.secrets) expect(events.body).not.toContain(secret);

    // Whatever a future log line carries, the redaction paths cut credentials out.
    server.app.log.info(
      { body: { jwt, sessionToken: session.sessionToken, secret: key.secret } },
      'a careless line',
    );
    expect(server.logs.at(-1)).toContain('[redacted]');

    expect(server.logs.length).toBeGreaterThan(10);
    expect(leakedSecrets(server)).toEqual([]);
  });
});
