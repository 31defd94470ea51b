import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession } from './factories.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';

/**
 * Every route, driven from the OpenAPI document so a new route joins this sweep by
 * existing: garbage in gets a 4xx with a stable code, never a 500.
 */
describe.each(DATABASES)('bad input on every route on %s', (kind) => {
  let server: TestServer;
  let routes: { method: string; path: string }[];
  let clientToken: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    clientToken = (await anonymousSession(server)).sessionToken;
    const spec = (await server.request('GET', '/openapi.json')).json();
    routes = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
    );
  });
  afterAll(() => server.close());

  const UNKNOWN_IDS = [
    'nope',
    '00000000-0000-7000-8000-000000000000',
    'x'.repeat(300),
    '%27%20OR%201%3D1',
    '..%2F..',
  ];
  const BODIES: unknown[] = [
    '{"unterminated',
    '[]',
    '"a string"',
    '123',
    'null',
    JSON.stringify({ name: 123, email: ['x'], externalId: { a: 1 }, jwt: 42, intoUserId: false, text: null }),
    JSON.stringify({ unexpected: 'field' }),
    JSON.stringify({ name: 'x'.repeat(256) }),
    JSON.stringify({ limit: 'lots' }),
  ];

  /** Bodies that pass validation, so only the id decides the answer. */
  const VALID_BODIES: Record<string, unknown> = {
    'PATCH /v1/users/{id}': { name: 'n' },
    'PATCH /v1/agents/{id}': { role: 'agent' },
    'POST /v1/users/{id}/merge': { intoUserId: '00000000-0000-7000-8000-000000000001' },
    'PATCH /v1/conversations/{id}': { status: 'solved' },
    'POST /v1/conversations/{id}/messages': { text: 'hello' },
    'POST /v1/conversations/{id}/read': { messageId: '00000000-0000-7000-8000-000000000001' },
    'POST /v1/articles/{id}/check-access': { userId: '00000000-0000-7000-8000-000000000001' },
    'POST /v1/users/{id}/unmerge': { mergedUserId: '00000000-0000-7000-8000-000000000001' },
    'POST /v1/webhooks/{id}/replay': { since: '2026-01-01T00:00:00.000Z' },
    'PATCH /v1/webhooks/{id}': { description: 'd' },
  };

  const errorCode = (body: string): unknown => {
    try {
      return JSON.parse(body)?.error?.code;
    } catch {
      return undefined;
    }
  };

  it('the document lists the routes', () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
  });

  it('answers every malformed body with a 4xx and a code', async () => {
    const failures: string[] = [];
    for (const { method, path } of routes) {
      if (method === 'GET' || method === 'DELETE') continue;
      for (const id of UNKNOWN_IDS.slice(0, 2)) {
        const url = path.replace(/\{[^}]+\}/g, id);
        for (const body of BODIES) {
          for (const token of [server.adminToken, clientToken]) {
            const response = await server.request(method, url, {
              token,
              body: body as string,
              headers: { 'content-type': 'application/json' },
            });
            const code = errorCode(response.body);
            if (response.statusCode < 400 || response.statusCode >= 500 || typeof code !== 'string') {
              failures.push(
                `${method} ${url} ${String(body).slice(0, 40)} → ${response.statusCode} ${response.body.slice(0, 120)}`,
              );
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers unknown ids with 404 whatever their shape', async () => {
    const failures: string[] = [];
    for (const { method, path } of routes.filter((r) => r.path.includes('{'))) {
      for (const id of UNKNOWN_IDS) {
        const url = path.replace(/\{[^}]+\}/g, id);
        const body = VALID_BODIES[`${method} ${path}`];
        // Client routes take the messenger's session; the rest, the admin's API token.
        const token = path.startsWith('/v1/client/') ? clientToken : server.adminToken;
        const response = await server.request(method, url, { token, body });
        if (response.statusCode !== 404 || errorCode(response.body) !== 'not_found') {
          failures.push(`${method} ${url} → ${response.statusCode} ${response.body.slice(0, 120)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers bad query strings with 400', async () => {
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'unknown=1', `externalId=${'x'.repeat(256)}`]) {
      const response = await server.request('GET', `/v1/users?${query}`, { token: server.adminToken });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
    const events = await server.request('GET', '/v1/auth-events?limit=500', { token: server.adminToken });
    expect(events.statusCode).toBe(400);
  });

  it('refuses oversized bodies with 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(100 * 1024) });
    const users = await server.request('POST', '/v1/users', {
      token: server.adminToken,
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(users.statusCode).toBe(413);
    expect(users.json().error.code).toBe('payload_too_large');
    const login = await server.request('POST', '/v1/client/login', {
      body: JSON.stringify({ jwt: 'x'.repeat(3 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(login.statusCode).toBe(413);
  });

  it('refuses bodies that are not JSON with 415', async () => {
    const response = await server.request('POST', '/v1/users', {
      token: server.adminToken,
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('unsupported_media_type');
  });

  it('answers an unknown route with 404 and a code', async () => {
    const response = await server.request('GET', '/v1/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
  });
});
