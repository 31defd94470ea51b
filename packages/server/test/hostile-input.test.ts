import { randomBytes } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../src/agents/create-agent.ts';
import { anonymousSession } from './factories.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** API.md "Hostile input, hostile pages": what a hostile request gets, on both databases. */
describe.each(DATABASES)('hostile input on %s', (kind) => {
  let server: TestServer;
  let routes: { method: string; path: string }[];

  beforeAll(async () => {
    server = await startTestServer(kind);
    const spec = (await server.request('GET', '/openapi.json')).json();
    routes = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
    );
  });
  afterAll(() => server.close());

  const authEvents = async (outcome: string) =>
    (await server.request('GET', `/v1/auth-events?outcome=${outcome}`, { token: server.adminToken })).json()
      .data as { outcome: string; ip: string | null }[];

  it('authenticates before it validates: no credentials is 401 whatever the body', async () => {
    // Open by design: the messenger's start and login, the agent sign-in, the demo's token, first-run setup (its code is the credential).
    const open = new Set([
      '/v1/client/sessions',
      '/v1/client/login',
      '/v1/agent/login',
      '/demo/token',
      '/v1/setup',
    ]);
    const guarded = routes.filter(
      (r) => r.path.startsWith('/v1/') && !open.has(r.path) && !['GET', 'DELETE'].includes(r.method),
    );
    expect(guarded.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const { method, path } of guarded) {
      const url = path.replace(/\{[^}]+\}/g, 'nope');
      for (const [body, type] of [
        ['{"unterminated', 'application/json'],
        ['{"name": 123, "text": null}', 'application/json'],
        ['name=x', 'application/x-www-form-urlencoded'],
      ] as const) {
        for (const token of [undefined, 'sgt_forged', 'sst_forged']) {
          const response = await server.request(method, url, {
            token,
            body,
            headers: { 'content-type': type },
          });
          if (response.statusCode !== 401)
            failures.push(`${method} ${url} ${token} ${body} → ${response.statusCode}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers an undecodable cookie or odd credentials with 401, never 500', async () => {
    for (const cookie of [
      'signet_agent=%E0%A4%A',
      'signet_agent=%',
      'signet_agent',
      '=;;=',
      'signet_agent=sas_%FF',
    ]) {
      const response = await server.request('GET', '/v1/agent/me', { headers: { cookie } });
      expect(response.statusCode, cookie).toBe(401);
    }
    for (const authorization of [
      'Bearer',
      'Bearer \u00ff\u00fe',
      'Basic abc',
      `Bearer ${'x'.repeat(5000)}`,
    ]) {
      const response = await server.request('GET', '/v1/users?externalId=x', { headers: { authorization } });
      expect(response.statusCode, authorization).toBe(401);
    }
  });

  it('refuses a NUL byte or invalid UTF-8 in any string with 400', async () => {
    const admin = { token: server.adminToken };
    const nulKid = await server.request('DELETE', '/v1/signing-keys/app_%00x', admin);
    expect(nulKid.statusCode, nulKid.body).toBe(400);
    const nulQuery = await server.request('GET', '/v1/users?externalId=a%00b', admin);
    expect(nulQuery.statusCode).toBe(400);
    const badPercent = await server.request('GET', '/v1/users?externalId=%FF%FE', admin);
    expect(badPercent.statusCode).toBe(400);
    for (const payload of [
      JSON.stringify({ name: 'a\u0000b' }),
      JSON.stringify({ externalId: 'x', name: 'ok', 'k\u0000': 1 }),
      '{"name":"\\ud800"}',
      Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
    ]) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/users',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${server.adminToken}` },
        payload,
      });
      expect(response.statusCode, String(payload)).toBe(400);
      expect(['validation_failed', 'bad_request']).toContain(response.json().error.code);
    }
    const session = await anonymousSession(server);
    const message = await server.request('POST', '/v1/client/messages', {
      token: session.sessionToken,
      body: { text: 'hi\u0000', clientMessageId: 'nul-1' },
    });
    expect(message.statusCode).toBe(400);
  });

  it('refuses an email that does not look like an address with invalid_email', async () => {
    const admin = { token: server.adminToken };
    const created = await server.request('POST', '/v1/users', { ...admin, body: { email: 'not-an-email' } });
    expect(created.statusCode).toBe(400);
    expect(created.json().error.code).toBe('invalid_email');
    const upsert = await server.request('PUT', '/v1/users/create_or_update', {
      ...admin,
      body: { externalId: 'hostile-email', email: 'a@b' },
    });
    expect(upsert.json().error.code).toBe('invalid_email');
    const user = (await server.request('POST', '/v1/users', { ...admin, body: { name: 'Ok' } })).json();
    const patched = await server.request('PATCH', `/v1/users/${user.id}`, {
      ...admin,
      body: { email: 'x y@z.com' },
    });
    expect(patched.json().error.code).toBe('invalid_email');
    const fine = await server.request('PATCH', `/v1/users/${user.id}`, {
      ...admin,
      body: { email: 'ok@shop.example' },
    });
    expect(fine.statusCode).toBe(200);
  });

  it('logs a login body without a string jwt as malformed, and answers 401 invalid_token', async () => {
    const before = (await authEvents('malformed')).length;
    for (const payload of [
      '{}',
      '{"jwt":42}',
      '{"jwt":null,"x":1}',
      '[]',
      '{"unterminated',
      '{"jwt":"a\\u0000b"}',
    ]) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/client/login',
        headers: JSON_HEADERS,
        payload,
      });
      expect(response.statusCode, payload).toBe(401);
      expect(response.json().error).toMatchObject({ code: 'invalid_token', reason: 'malformed' });
    }
    expect((await authEvents('malformed')).length - before).toBe(6);
  });

  it('sets a Secure agent cookie exactly when the request came over HTTPS', async () => {
    const password = 'a long enough password';
    await createAgent(server.runtime, { email: 'sec@shop.example', name: 'Sec', role: 'agent', password });
    const signIn = (target: TestServer, headers: Record<string, string> = {}) =>
      target.request('POST', '/v1/agent/login', { body: { email: 'sec@shop.example', password }, headers });
    expect(String((await signIn(server)).headers['set-cookie'])).not.toContain('Secure');
    // Without TRUST_PROXY a forwarded header is anyone's to send: it changes nothing.
    const spoofed = await signIn(server, { 'x-forwarded-proto': 'https' });
    expect(String(spoofed.headers['set-cookie'])).not.toContain('Secure');

    const proxied = await startTestServer(kind, { TRUST_PROXY: '1' });
    try {
      await createAgent(proxied.runtime, { email: 'sec@shop.example', name: 'Sec', role: 'agent', password });
      const https = await signIn(proxied, { 'x-forwarded-proto': 'https' });
      expect(String(https.headers['set-cookie'])).toMatch(/; Secure$/);
      expect(String((await signIn(proxied)).headers['set-cookie'])).not.toContain('Secure');
    } finally {
      await proxied.close();
    }
  });

  it('keeps the SQLite commit durable: synchronous=FULL unless the operator opts out', async () => {
    if (kind !== 'sqlite') return;
    const level = async (target: TestServer) =>
      (await sql<{ synchronous: number }>`pragma synchronous`.execute(target.runtime.storage.db)).rows[0]
        ?.synchronous;
    expect(await level(server)).toBe(2); // FULL
    const relaxed = await startTestServer(kind, { SQLITE_SYNCHRONOUS: 'normal' });
    try {
      expect(await level(relaxed)).toBe(1); // NORMAL
    } finally {
      await relaxed.close();
    }
  });
});

describe('login rate limit', () => {
  it('refuses attempts over LOGIN_RATE_PER_MINUTE with 429, Retry-After and a rate_limited row', async () => {
    const server = await startTestServer('sqlite', { LOGIN_RATE_PER_MINUTE: '3' });
    try {
      const attempt = () => server.request('POST', '/v1/client/login', { body: { jwt: 'not.a.token' } });
      for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
      const refused = await attempt();
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.code).toBe('rate_limited');
      // One token per 20 s at 3 a minute.
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(19);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(20);
      const rows = (
        await server.request('GET', '/v1/auth-events?outcome=rate_limited', { token: server.adminToken })
      ).json().data;
      expect(rows).toHaveLength(1);
      expect(rows[0].ip).toBe('127.0.0.1');
    } finally {
      await server.close();
    }
  });
});

describe('security headers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { SIGNET_DEMO: '1' });
  });
  afterAll(() => server.close());

  it('sends the agent app with a CSP that forbids framing, nosniff and no-referrer', async () => {
    const page = await server.request('GET', '/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const scripts = String(page.headers['content-security-policy'])
      .split(';')
      .find((d) => d.startsWith('script-src'));
    expect(scripts).toBe("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('sends the API nosniff and a CSP under which nothing runs', async () => {
    const api = await server.request('GET', '/v1/users?externalId=x', { token: server.adminToken });
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['content-security-policy']).toContain("default-src 'none'");
    const error = await server.request('GET', '/v1/users');
    expect(error.statusCode).toBe(401);
    expect(error.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends a refused WebSocket upgrade the same headers as any answer', async () => {
    const { http } = await server.listen();
    const refused = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${http}/v1/ws`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': randomBytes(16).toString('base64'),
          cookie: 'signet_agent=whatever',
          origin: 'https://evil.example',
        },
      });
      req.on('response', resolve);
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    refused.resume();
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
    expect(refused.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('keeps the widget and the client API loadable from other origins', async () => {
    const origin = { origin: 'https://shop.example' };
    const widget = await server.request('GET', '/widget.js', { headers: origin });
    expect(widget.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(widget.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const session = await server.request('POST', '/v1/client/sessions', { body: {}, headers: origin });
    expect(session.statusCode).toBe(201);
    expect(session.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(session.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });

  it("lets the demo page's inline scripts run, and nothing from elsewhere", async () => {
    const demo = await server.request('GET', '/demo');
    const csp = String(demo.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(demo.body).toContain('<script>');
  });
});
