import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { AppError } from '../src/errors.ts';
import { createRateLimits, MemoryTokenBucket, type TokenBucket } from '../src/http/rate-limits.ts';
import { freePort, privateSchema } from './cluster.ts';
import { anonymousSession } from './factories.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';
import { TestSocket } from './ws-client.ts';

const REDIS = process.env.TEST_REDIS_URL;

/** Retry-After in seconds when refused, 0 when a token was taken. */
async function attempt(bucket: TokenBucket, key: string): Promise<number> {
  try {
    await bucket.take(key, 'slow down');
    return 0;
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'rate_limited') throw error;
    return error.details.retryAfter!;
  }
}

describe('the token bucket', () => {
  it('takes a burst of 30 at once, then refills at the rate, and is whole again after a pause', async () => {
    let now = 1_000_000;
    const bucket = new MemoryTokenBucket({ name: 't', burst: 30, perSecond: 5 }, () => now);
    const take = () =>
      bucket.consume('k').then(
        () => true,
        () => false,
      );
    for (let i = 0; i < 30; i++) expect(await take()).toBe(true);
    expect(await take()).toBe(false);
    now += 199;
    expect(await take()).toBe(false);
    now += 1; // one token every 200 ms at 5/s
    expect(await take()).toBe(true);
    expect(await take()).toBe(false);
    // Sustained: over 10 s, 50 tokens, whatever the window boundaries (a fixed window lets ~2× through).
    let taken = 0;
    for (let t = 0; t < 10_000; t += 20) {
      now += 20;
      if (await take()) taken++;
    }
    expect(taken).toBe(50);
    now += 6000; // 30 tokens' worth of quiet
    for (let i = 0; i < 30; i++) expect(await take()).toBe(true);
    expect(await take()).toBe(false);
  });

  it.skipIf(!REDIS)('is one bucket for every node on Redis, with the same arithmetic', async () => {
    const config = loadConfig({ REDIS_URL: REDIS!, MESSAGE_RATE_PER_SECOND: '1', DATA_DIR: '/unused' });
    const [a, b] = [await createRateLimits(config), await createRateLimits(config)];
    try {
      const key = `session-${randomBytes(6).toString('hex')}`;
      const burst = await Promise.all(
        Array.from({ length: 30 }, (_, i) => attempt((i % 2 ? a : b).messages, key)),
      );
      expect(burst).toEqual(Array(30).fill(0));
      expect(await attempt(a.messages, key)).toBe(1);
      expect(await attempt(b.messages, key)).toBe(1);
      await new Promise((r) => setTimeout(r, 1050)); // one token a second
      expect(await attempt(b.messages, key)).toBe(0);
      expect(await attempt(a.messages, key)).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps limiting in memory while Redis is unreachable', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const limits = await createRateLimits(
      loadConfig({ REDIS_URL: dead, MESSAGE_RATE_PER_SECOND: '5', DATA_DIR: '/unused' }),
    );
    try {
      for (let i = 0; i < 30; i++) expect(await attempt(limits.messages, 'k')).toBe(0);
      expect(await attempt(limits.messages, 'k')).toBe(1);
    } finally {
      await limits.close();
    }
  });
});

describe.each(DATABASES)('message limits on %s', (kind) => {
  let server: TestServer;
  let ws: string;

  beforeAll(async () => {
    // The default rate (5/s after a burst of 30).
    server = await startTestServer(kind);
    ws = (await server.listen()).ws;
  });
  afterAll(() => server.close());

  const send = (token: string, text: string, clientMessageId: string) =>
    server.request('POST', '/v1/client/messages', { token, body: { text, clientMessageId } });

  it('stores a burst of 30 sends from one session, and refuses the 31st naming it', async () => {
    const session = await anonymousSession(server);
    const socket = await TestSocket.ready(`${ws}/v1/client/ws`, { sessionToken: session.sessionToken });
    for (let i = 0; i < 31; i++)
      socket.send({ type: 'message.send', text: `queued ${i}`, clientMessageId: `q-${i}` });
    await socket.waitUntil(() => socket.of('message.ack').length + socket.of('error').length === 31);
    expect(socket.of('message.ack').map((f) => f.clientMessageId)).toEqual(
      Array.from({ length: 30 }, (_, i) => `q-${i}`),
    );
    expect(socket.of('error')).toEqual([
      expect.objectContaining({ code: 'rate_limited', clientMessageId: 'q-30' }),
    ]);
    const conversationId = (socket.of('message.ack')[0]!.message as { conversationId: string })
      .conversationId;
    const stored = await server.request('GET', `/v1/conversations/${conversationId}/messages?limit=100`, {
      token: server.agentToken,
    });
    expect(
      stored
        .json()
        .data.map((m: { text: string }) => m.text)
        .sort(),
    ).toEqual(Array.from({ length: 30 }, (_, i) => `queued ${i}`).sort());
    // The bucket refills while the 30 are stored (slower on PostgreSQL): a few more get in.
    let http = await send(session.sessionToken, 'and over HTTP', 'h-0');
    for (let i = 1; i <= 10 && http.statusCode === 201; i++)
      http = await send(session.sessionToken, 'and over HTTP', `h-${i}`);
    expect(http.statusCode).toBe(429);
    expect(http.json().error.code).toBe('rate_limited');
    expect(http.headers['retry-after']).toBe('1');
    socket.close();
  });

  it('refuses sustained sends beyond the rate with 429 and Retry-After', async () => {
    const session = await anonymousSession(server);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => send(session.sessionToken, `b ${i}`, `b-${i}`)),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(30).fill(201));
    // Then 20 attempts a second for 2 s, each sent on schedule whatever the answers' latency:
    // about 5 a second get through, the rest wait.
    const sustained = Date.now();
    const answers = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) =>
          new Promise<Awaited<ReturnType<typeof send>>>((resolve) =>
            setTimeout(() => resolve(send(session.sessionToken, `s ${i}`, `s-${i}`)), i * 50),
          ),
      ),
    );
    const codes = answers.map((r) => r.statusCode);
    for (const r of answers.filter((a) => a.statusCode === 429))
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const accepted = codes.filter((c) => c === 201).length;
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
    // Never more than the bucket refilled since the burst began; about what it refilled meanwhile.
    const seconds = (at: number) => (Date.now() - at) / 1000;
    expect(accepted).toBeLessThanOrEqual(Math.floor(5 * seconds(started)) + 1);
    expect(accepted).toBeGreaterThanOrEqual(Math.floor(5 * Math.min(seconds(sustained), 2)) - 2);
    expect(codes.every((c) => c === 201 || c === 429)).toBe(true);
  });

  it('counts text in code points on the socket as over HTTP', async () => {
    const session = await anonymousSession(server);
    const emoji = '😀'.repeat(2100); // 2,100 code points, 4,200 UTF-16 units
    const tooLong = 'é'.repeat(4097);
    expect((await send(session.sessionToken, emoji, 'e-http')).statusCode).toBe(201);
    expect((await send(session.sessionToken, tooLong, 'long-http')).statusCode).toBe(400);

    const socket = await TestSocket.ready(`${ws}/v1/client/ws`, { sessionToken: session.sessionToken });
    socket.send({ type: 'message.send', text: emoji, clientMessageId: 'e-ws' });
    const ack = await socket.waitFor((f) => f.type === 'message.ack');
    expect((ack.message as { text: string }).text).toBe(emoji);
    socket.send({ type: 'message.send', text: tooLong, clientMessageId: 'long-ws' });
    const refused = await socket.waitFor((f) => f.type === 'error');
    expect(refused).toMatchObject({ code: 'validation_failed', clientMessageId: 'long-ws' });
    socket.close();
  });
});

// Two nodes on one database and one Redis: one session's bucket is the same on both.
describe.skipIf(!(process.env.TEST_DATABASE_URL && REDIS))('message limits across nodes', () => {
  it('shares one bucket per session between two nodes', async () => {
    const schema = await privateSchema(process.env.TEST_DATABASE_URL!);
    // One installation: every node shares the master key (the second would refuse to start otherwise).
    const env = {
      REDIS_URL: REDIS!,
      MESSAGE_RATE_PER_SECOND: '1',
      SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
    };
    const a = await startTestServer('postgres', env, { schema: schema.schema });
    const b = await startTestServer('postgres', env, { schema: schema.schema });
    try {
      const session = await anonymousSession(a);
      const send = (node: TestServer, i: number) =>
        node.request('POST', '/v1/client/messages', {
          token: session.sessionToken,
          body: { text: `m ${i}`, clientMessageId: `m-${i}` },
        });
      // 40 at once, half through each node: one shared bucket takes 30 (plus what refills meanwhile),
      // where two buckets of their own would take all 40.
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 ? a : b, i)));
      const accepted = answers.filter((r) => r.statusCode === 201).length;
      expect(accepted).toBeGreaterThanOrEqual(30);
      expect(accepted).toBeLessThanOrEqual(30 + Math.floor((Date.now() - started) / 1000) + 1);
      const refused = answers.filter((r) => r.statusCode === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]!.headers['retry-after']).toBe('1');
    } finally {
      await a.close();
      await b.close();
      await schema.drop();
    }
  });
});
