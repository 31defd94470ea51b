import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { SignetClient } from '../src/client.ts';
import { retryAfterMs } from '../src/http.ts';
import { memoryStore } from '../src/token-store.ts';
import type { WebSocketLike } from '../src/types.ts';
import { until } from './clients.ts';

const neverOpens = () =>
  ({
    readyState: 0,
    send() {},
    close() {},
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  }) as WebSocketLike;

type Seen = { at: number; method: string; path: string; token: string | undefined };
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * A stand-in server on 127.0.0.1 whose answers a test scripts, per route, one at a
 * time (then it answers as a healthy server would): how the messenger treats 429, 5xx and 401 is the
 * client's behaviour, whatever the real server's limits are.
 */
function stub() {
  const seen: Seen[] = [];
  const scripts = new Map<string, Answer[]>();
  let sessions = 0;
  const user = (id: string) => ({ id, name: null, email: null, externalId: null, authenticated: false });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const route = `${request.method} ${path}`;
    seen.push({
      at: Date.now(),
      method: request.method!,
      path,
      token: request.headers.authorization?.slice(7),
    });
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const script = scripts.get(route);
      let answer: Answer | undefined = script?.shift();
      if (!answer && route === 'POST /v1/client/sessions') {
        sessions++;
        answer = {
          status: 201,
          body: { sessionToken: `sst_${sessions}`, user: user(`u${sessions}`), authenticated: false },
        };
      }
      if (!answer && route === 'GET /v1/client/session')
        answer = { status: 200, body: { user: user('stored'), authenticated: false } };
      if (!answer && route === 'GET /v1/client/conversations')
        answer = { status: 200, body: { data: [], nextCursor: null, eventCursor: '0', unreadCount: 0 } };
      if (!answer && route === 'POST /v1/client/messages') {
        const sent = JSON.parse(body);
        answer = {
          status: 201,
          body: {
            id: `m-${sent.clientMessageId}`,
            conversationId: 'c1',
            author: { type: 'user', id: 'u', name: null },
            text: sent.text,
            authenticated: false,
            createdAt: new Date().toISOString(),
            clientMessageId: sent.clientMessageId,
          },
        };
      }
      answer ??= { status: 404, body: { error: { code: 'not_found' } } };
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body ?? {}));
    });
  });
  return {
    seen,
    script: (route: string, ...answers: Answer[]) => scripts.set(route, answers),
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('the messenger on 429, 5xx and 401 (API.md "Hostile input")', () => {
  const api = stub();
  let url: string;
  const clients: SignetClient[] = [];
  const newClient = () => {
    const store = memoryStore();
    const client = new SignetClient({
      serverUrl: url,
      store,
      webSocket: neverOpens,
      reconnect: { minMs: 40, maxMs: 200 },
    });
    clients.push(client);
    return { client, store };
  };
  const sends = () => api.seen.filter((s) => s.method === 'POST' && s.path === '/v1/client/messages');
  const sessionsMade = () => api.seen.filter((s) => s.path === '/v1/client/sessions').length;

  beforeAll(async () => {
    url = await api.listen();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.stop();
    api.seen.length = 0;
  });
  afterAll(() => api.close());

  it('429: waits Retry-After, sends again with the same session, and the message is stored once', async () => {
    const { client, store } = newClient();
    await client.start();
    const token = store.get();
    const limited = { error: { code: 'rate_limited', message: 'slow down' } };
    api.script('POST /v1/client/messages', { status: 429, body: limited, headers: { 'retry-after': '1' } });
    client.send('patience');
    await until(() => client.state.pending.length === 0, 'stored after the wait');
    const [refused, accepted] = sends();
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(950);
    expect(sends()).toHaveLength(2);
    expect(accepted!.token).toBe(token);
    expect(store.get()).toBe(token);
    expect(sessionsMade()).toBe(1);
  });

  it('5xx and an unreachable moment: backs off and retries, keeping the session', async () => {
    const { client, store } = newClient();
    await client.start();
    const token = store.get();
    api.script(
      'POST /v1/client/messages',
      { status: 503, body: { error: { code: 'unavailable' } } },
      { status: 500, body: { error: { code: 'internal' } } },
      { status: 502 },
    );
    client.send('still here');
    await until(() => client.state.pending.length === 0, 'stored');
    expect(sends()).toHaveLength(4);
    expect(sends().every((s) => s.token === token)).toBe(true);
    expect(store.get()).toBe(token);
    expect(sessionsMade()).toBe(1);
    expect(client.state.conversations.flatMap((c) => c.messages.map((m) => m.text))).toEqual(['still here']);
  });

  it('at start, a stored session answered 503 or 429 is kept (asked again), not replaced', async () => {
    const store = memoryStore('sst_stored');
    const client = new SignetClient({
      serverUrl: url,
      store,
      webSocket: neverOpens,
      reconnect: { minMs: 40, maxMs: 200 },
    });
    clients.push(client);
    api.script(
      'GET /v1/client/session',
      { status: 503 },
      { status: 429, body: { error: { code: 'rate_limited' } }, headers: { 'retry-after': '0' } },
    );
    await client.start();
    expect(api.seen.filter((s) => s.path === '/v1/client/session').map((s) => s.token)).toEqual([
      'sst_stored',
      'sst_stored',
      'sst_stored',
    ]);
    expect(sessionsMade()).toBe(0);
    expect(store.get()).toBe('sst_stored');
    expect(client.state.user?.id).toBe('stored');
  });

  it('a 4xx other than 401 and 429 fails that message, and keeps the session', async () => {
    const { client, store } = newClient();
    await client.start();
    const token = store.get();
    api.script('POST /v1/client/messages', { status: 400, body: { error: { code: 'validation_failed' } } });
    client.send('bad');
    await until(() => client.state.pending[0]?.status === 'failed', 'failed');
    expect(store.get()).toBe(token);
    expect(sessionsMade()).toBe(1);
  });

  it('401: drops the session, starts a new one, and sends through it', async () => {
    const { client, store } = newClient();
    await client.start();
    const first = store.get();
    api.script('POST /v1/client/messages', { status: 401, body: { error: { code: 'session_expired' } } });
    const ended: string[] = [];
    client.on('sessionEnded', ({ reason }) => ended.push(reason));
    client.send('again');
    await until(() => client.state.pending.length === 0, 'stored through the new session');
    expect(ended).toEqual(['session_expired']);
    expect(sessionsMade()).toBe(2);
    expect(store.get()).not.toBe(first);
    expect(sends().at(-1)!.token).toBe(store.get());
  });

  it('reads Retry-After as seconds or a date, capped, and ignores nonsense', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('86400')).toBe(300_000);
    expect(retryAfterMs(new Date(10_000 + 2000).toUTCString(), 10_000)).toBe(2000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs('-1')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe('the messenger against the real message limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { MESSAGE_RATE_PER_SECOND: '4' });
    await server.listen();
  });
  afterAll(() => server.close());

  it.each([
    ['HTTP', neverOpens],
    ['the socket', (u: string) => new WebSocket(u) as unknown as WebSocketLike],
  ] as const)(
    '40 messages at once over %s, past the burst of 30: each stored once, on one session',
    async (_, webSocket) => {
      const store = memoryStore();
      const statuses: number[] = [];
      const counting: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (String(input).endsWith('/v1/client/messages')) statuses.push(response.status);
        return response;
      };
      const client = new SignetClient({
        serverUrl: (await server.listen()).http,
        store,
        fetch: counting,
        webSocket,
        reconnect: { minMs: 50, maxMs: 400 },
      });
      await client.start();
      const token = store.get();
      if (webSocket !== neverOpens) await until(() => client.state.connection === 'online', 'online');
      for (let i = 0; i < 40; i++) client.send(`m${i}`);
      await until(() => client.state.pending.length === 0, 'all stored', 20_000);
      client.stop();
      if (webSocket === neverOpens) {
        expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
        expect(statuses.filter((s) => s === 201)).toHaveLength(40);
      }
      expect(store.get()).toBe(token);
      const history = (await server.request('GET', '/v1/client/conversations', { token: token! })).json();
      const texts = history.data.flatMap((c: { messages: { text: string }[] }) =>
        c.messages.map((m) => m.text),
      );
      expect(new Set(texts).size).toBe(40);
    },
  );
});
