import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession } from './factories.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { TestSocket } from './ws-client.ts';

/** API.md: the client API, its socket and /widget.js answer the origins in `allowedOrigins`. */
describe('cross-origin access for the messenger', () => {
  let server: TestServer;
  let ws: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    ws = (await server.listen()).ws;
  });
  afterAll(() => server.close());

  it('answers any origin by default, preflight included; never the admin API', async () => {
    const preflight = await server.request('OPTIONS', '/v1/client/messages', {
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
    const session = await server.request('POST', '/v1/client/sessions', {
      headers: { origin: 'https://shop.example' },
    });
    expect(session.headers['access-control-allow-origin']).toBe('https://shop.example');
    // A page on another origin must be able to read how long a 429 asks it to wait.
    expect(session.headers['access-control-expose-headers']).toBe('Retry-After');
    const admin = await server.request('GET', '/v1/users', {
      token: server.adminToken,
      headers: { origin: 'https://shop.example' },
    });
    expect(admin.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('limits the client API and the socket to the listed origins', async () => {
    await server.request('PATCH', '/v1/settings', {
      token: server.adminToken,
      body: { allowedOrigins: ['https://shop.example'] },
    });
    const other = await server.request('POST', '/v1/client/sessions', {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const { sessionToken } = await anonymousSession(server);
    await expect(
      TestSocket.open(`${ws}/v1/client/ws`, { headers: { origin: 'https://evil.example' } }),
    ).rejects.toThrow('403');
    const allowed = await TestSocket.open(`${ws}/v1/client/ws`, {
      headers: { origin: 'https://shop.example' },
    });
    allowed.send({ type: 'auth', sessionToken });
    await allowed.waitFor((f) => f.type === 'ready');
    allowed.close();
  });
});
