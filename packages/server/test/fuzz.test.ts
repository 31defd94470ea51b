import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../src/errors.ts';
import { anonymousSession, seedHistory } from './factories.ts';
import { fuzzFrames } from './fuzz-frames.ts';
import { fromSchema, nastyText, nastyValue } from './fuzz-values.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer } from './harness.ts';

/**
 * Generated requests against every route of /openapi.json: wrong types, missing and
 * extra fields, huge and empty strings, NUL bytes, invalid UTF-8, odd headers and
 * cookies, every method. Nothing may answer 5xx; every error is `{error:{code}}` with a
 * code from errors.ts and that code's status. FUZZ_RUNS raises the count, FUZZ_SEED
 * replays another sequence.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_129);
const CONCURRENCY = 8;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

type Route = { method: string; path: string; body: object | undefined; query: Record<string, object> };

function routesOf(spec: { paths: Record<string, Record<string, Record<string, unknown>>> }): Route[] {
  return Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const body = (op.requestBody as { content?: Record<string, { schema?: object }> })?.content?.[
        'application/json'
      ]?.schema;
      const parameters = (op.parameters as { in: string; name: string; schema: object }[] | undefined) ?? [];
      const query = Object.fromEntries(
        parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema]),
      );
      return { method: method.toUpperCase(), path, body, query };
    }),
  );
}

describe.each(DATABASES)('fuzzing every route on %s', (kind) => {
  let server: TestServer;
  let routes: Route[];
  let ids: string[];
  let credentials: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer(kind, { MESSAGE_RATE_PER_SECOND: '100000' });
    routes = routesOf((await server.request('GET', '/openapi.json')).json());
    const key = await server.createKey('fuzz');
    const jwt = await signUserToken(key, {
      external_id: 'fuzz-1',
      email: 'fuzz@shop.example',
      email_verified: true,
    });
    const login = (await server.request('POST', '/v1/client/login', { body: { jwt } })).json();
    const anon = await anonymousSession(server);
    const conversationId = await seedHistory(server, login.sessionToken, 'seed');
    const messages = await server.request('GET', `/v1/conversations/${conversationId}/messages`, {
      token: server.adminToken,
    });
    ids = [login.user.id, anon.userId, conversationId, messages.json().data[0].id, key.kid];
    credentials = {
      admin: `Bearer ${server.adminToken}`,
      agent: `Bearer ${server.agentToken}`,
      client: `Bearer ${login.sessionToken}`,
      anonymous: `Bearer ${anon.sessionToken}`,
      forged: 'Bearer sgt_forged',
      odd: 'Bearer \u00ff\u00fe\u0001',
      basic: 'Basic Zm9vOmJhcg==',
    };
  }, 60_000);
  afterAll(() => server.close());

  it(`answers ${RUNS} generated requests without a 5xx, each error in the one table`, async () => {
    const idOrGarbage = fc.oneof(fc.constantFrom(...ids), nastyText);
    const request = fc.constantFrom(...routes).chain((route) =>
      fc.record({
        route: fc.constant(route),
        method: sometimes(fc.constantFrom(...METHODS)),
        params: fc.array(idOrGarbage, { minLength: 4, maxLength: 4 }),
        query: fc.oneof(
          fromSchema({ type: 'object', properties: route.query }, ids),
          fc.dictionary(fc.constantFrom('limit', 'before', 'since', 'x'), nastyText, { maxKeys: 2 }),
        ),
        body: fc.oneof(
          { weight: 5, arbitrary: fromSchema(route.body, ids).map((v) => JSON.stringify(v) ?? 'null') },
          { weight: 1, arbitrary: nastyValue.map((v) => JSON.stringify(v) ?? 'null') },
          fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
          fc.constantFrom(
            '{"unterminated',
            '',
            '{"a":1}{"b":2}',
            '{"__proto__":{"x":1}}',
            '{"constructor":{"prototype":{}}}',
          ),
        ),
        auth: fc.option(
          fc.oneof(
            { weight: 8, arbitrary: fc.constant('fitting') },
            fc.constantFrom('agent', 'anonymous', 'forged', 'odd', 'basic'),
          ),
          { freq: 8 }, // missing one time in 8
        ),
        contentType: fc.oneof(
          { weight: 8, arbitrary: fc.constant('application/json') },
          fc.constantFrom(
            'application/json; charset=latin1',
            'text/plain',
            'application/x-www-form-urlencoded',
            undefined,
          ),
        ),
        cookie: sometimes(
          fc.constantFrom(
            'signet_agent=%E0%A4%A',
            'signet_agent=sas_x',
            '=;=;',
            'a=b; signet_agent=%',
            'signet_agent=\u00ff',
          ),
        ),
        origin: sometimes(fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1')),
        csrf: sometimes(nastyText.filter((t) => /^[\x20-\x7e]*$/.test(t))),
      }),
    );

    const renewClientSessions = async () => {
      credentials.client = `Bearer ${(await anonymousSession(server)).sessionToken}`;
      credentials.anonymous = `Bearer ${(await anonymousSession(server)).sessionToken}`;
    };
    const failures = new Map<string, string>();
    const statuses = new Map<number, number>();
    const fire = async (r: (typeof sample)[number]) => {
      let p = 0;
      const url = r.route.path.replace(/\{[^}]+\}/g, () => pathSegment(String(r.params[p++])));
      const query = queryString(r.query);
      const method = r.method ?? r.route.method;
      const headers: Record<string, string> = {};
      const auth =
        r.auth === 'fitting' ? (r.route.path.startsWith('/v1/client/') ? 'client' : 'admin') : r.auth;
      if (auth) headers.authorization = credentials[auth]!;
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.cookie) headers.cookie = r.cookie;
      if (r.origin) headers.origin = r.origin;
      if (r.csrf !== null) headers['x-csrf-token'] = r.csrf;
      const response = await server.app.inject({
        method: method as 'GET',
        url: query ? `${url}?${query}` : url,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { payload: r.body }),
      });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      const problem = judge(method, response.statusCode, response.body);
      const where = `${method} ${r.route.path} → ${response.statusCode} ${problem}`;
      if (problem && !failures.has(where))
        failures.set(where, `${url}?${query} ${String(r.body).slice(0, 120)}`);
    };
    // The same sequence for a seed, sent a few at a time: the server sees concurrent
    // requests, and the run stays short on a database a network hop away.
    const sample = fc.sample(request, { numRuns: RUNS, seed: SEED });
    for (let i = 0; i < sample.length; i += CONCURRENCY) {
      // Logouts, erasures and merges end sessions: the client credentials are renewed now and then.
      if (i % 100 < CONCURRENCY) await renewClientSessions();
      await Promise.all(sample.slice(i, i + CONCURRENCY).map(fire));
    }
    expect([...failures].slice(0, 30)).toEqual([]);
    // The sweep reached past the front door: authenticated answers and successes too.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 20);
    expect((await server.request('GET', '/readyz')).statusCode).toBe(200);
  }, 600_000);

  it('answers generated frames on both sockets without an internal error', async () => {
    const { ws } = await server.listen();
    const session = await anonymousSession(server);
    const report = await fuzzFrames({
      ws,
      seed: SEED,
      runs: Math.max(200, Math.floor(RUNS / 20)),
      client: { sessionToken: session.sessionToken },
      agent: { apiToken: server.agentToken },
      ids,
    });
    expect(report.problems).toEqual([]);
    expect(report.acks).toBeGreaterThan(0);
    expect(report.errors).toBeGreaterThan(0);
    expect((await server.request('GET', '/readyz')).statusCode).toBe(200);
  }, 300_000);
});

/** A query string as sent; a lone surrogate goes as its invalid UTF-8 bytes. */
function queryString(query: unknown): string {
  if (typeof query !== 'object' || query === null) return '';
  return Object.entries(query)
    .map(
      ([k, v]) =>
        `${pathSegment(k)}=${pathSegment(String(typeof v === 'object' ? JSON.stringify(v) : v).slice(0, 300))}`,
    )
    .join('&');
}

/** A path segment as sent: escapes kept raw ('%FF', '%00'), text percent-encoded, a lone surrogate as its invalid UTF-8 bytes. */
function pathSegment(value: string): string {
  if (/^(%[0-9A-F]{2})+$/.test(value)) return value;
  try {
    return encodeURIComponent(value).slice(0, 2000);
  } catch {
    return `%ED%A0%80${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))}`;
  }
}

/** `null` most of the time, a value one time in six. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

const CODES = new Map<string, number>(Object.entries(ERROR_STATUS));

/** What is wrong with an answer, or undefined when it is fine. */
function judge(method: string, status: number, body: string): string | undefined {
  if (status >= 500) return `server error ${body.slice(0, 200)}`;
  if (status < 400 || method === 'HEAD') return undefined;
  let code: unknown;
  try {
    code = JSON.parse(body)?.error?.code;
  } catch {
    return `error body is not JSON: ${body.slice(0, 80)}`;
  }
  if (typeof code !== 'string' || !CODES.has(code)) return `unknown code ${String(code)}`;
  if (CODES.get(code) !== status) return `code ${code} with status ${status}`;
  return undefined;
}
