import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents } from '../src/messaging/event-log.ts';
import { anonymousSession, seedHistory } from './factories.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';
import { parse, Receiver } from './webhooks-receiver.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DATABASES)('webhook delivery on %s', (kind) => {
  let server: TestServer;
  const receivers: Receiver[] = [];
  const admin = () => ({ token: server.adminToken });
  const receiver = async (...args: Parameters<typeof Receiver.start>) => {
    const r = await Receiver.start(...args);
    receivers.push(r);
    return r;
  };
  const create = async (url: string, events: string[] = ['user.created']) => {
    const response = await server.request('POST', '/v1/webhooks', { ...admin(), body: { url, events } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; secret: string };
  };
  const newUser = async () => (await server.request('POST', '/v1/users', { ...admin(), body: {} })).json().id;
  const endpoint = async (id: string) => (await server.request('GET', `/v1/webhooks/${id}`, admin())).json();
  const deliveries = async (id: string) =>
    (await server.request('GET', `/v1/webhooks/${id}/deliveries`, admin())).json().data;

  beforeAll(async () => {
    server = await startTestServer(kind, {
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_RETRY_SCHEDULE: '0.2,0.2,0.2',
    });
  });
  afterAll(async () => {
    await server?.close();
    for (const r of receivers) await r.close();
  });

  it('retries a failing receiver with the same webhook-id until it answers 2xx', async () => {
    const r = await receiver((_req, i) => ({ status: i < 2 ? 500 : 200 }));
    const { id, secret } = await create(r.url);
    await newUser();
    const got = await r.waitFor(3);
    await sleep(500);
    expect(r.received).toHaveLength(3);
    expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(1);
    expect(new Set(got.map((g) => g.body)).size).toBe(1);
    for (const g of got) expect(() => new StandardWebhook(secret).verify(g.body, g.headers)).not.toThrow();
    const [delivery] = await deliveries(id);
    expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 3 });
    expect(delivery.attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([200, 500, 500]);
    expect((await endpoint(id)).failingSince).toBeNull();
  });

  it('keeps a finished attempt to record when the cycle that should record it fails', async () => {
    let answer = (_: { status: number }) => {};
    const r = await receiver((_request, i) =>
      i === 0 ? new Promise((resolve) => (answer = resolve)) : { status: 200 },
    );
    const { id } = await create(r.url);
    const other = await create((await receiver()).url);
    const endpoints = () =>
      server.runtime.storage.db.updateTable('webhook_endpoints').where('id', '=', other.id);
    await newUser();
    await r.waitFor(1);
    // Every cycle now fails (it fans out a new event to an endpoint it cannot read) while
    // the first attempt comes back delivered.
    await endpoints().set({ events: 'not json' }).execute();
    await newUser();
    answer({ status: 200 });
    await sleep(1200);
    await endpoints()
      .set({ events: JSON.stringify(['user.created']) })
      .execute();
    // Recorded by the next cycle that works, not sent again when its lease runs out (30 s).
    const deadline = Date.now() + 3000;
    const settled = async () =>
      (await deliveries(id)).every((d: { status: string }) => d.status === 'delivered');
    while (!(await settled()) && Date.now() < deadline) await sleep(100);
    const [second, first] = await deliveries(id);
    expect(first).toMatchObject({ status: 'delivered', attemptCount: 1 });
    expect(second).toMatchObject({ status: 'delivered', attemptCount: 1 });
    expect(r.received).toHaveLength(2);
  });

  it('gives up after the last scheduled retry and marks the delivery failed', async () => {
    const r = await receiver(() => ({ status: 500 }));
    const { id } = await create(r.url);
    await newUser();
    await r.waitFor(4);
    await sleep(600);
    expect(r.received).toHaveLength(4);
    const [delivery] = await deliveries(id);
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 4, nextAttemptAt: null });
    expect((await endpoint(id)).failingSince).not.toBeNull();
  });

  it('disables the endpoint on 410 and sends it nothing more', async () => {
    const r = await receiver(() => ({ status: 410 }));
    const { id } = await create(r.url);
    await newUser();
    await r.waitFor(1);
    await sleep(300);
    expect(await endpoint(id)).toMatchObject({ enabled: false, disabledReason: 'gone' });
    await newUser();
    await sleep(700);
    expect(r.received).toHaveLength(1);
    const back = await server.request('PATCH', `/v1/webhooks/${id}`, { ...admin(), body: { enabled: true } });
    expect(back.json()).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('honours Retry-After on 503 and 429', async () => {
    const r = await receiver((_req, i) =>
      i === 0
        ? { status: 503, headers: { 'retry-after': '2' } }
        : i === 1
          ? { status: 429, headers: { 'retry-after': '1' } }
          : { status: 200 },
    );
    await create(r.url);
    await newUser();
    const got = await r.waitFor(3, 8000);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(1900);
    expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(900);
  });

  it('disables an endpoint with nothing but failures for 5 days, and says so', async () => {
    const r = await receiver(() => ({ status: 500 }));
    const { id } = await create(r.url);
    await newUser();
    await r.waitFor(1);
    await sleep(100);
    // The streak began six days ago: the next failure ends it.
    await server.runtime.storage.db
      .updateTable('webhook_endpoints')
      .set({ failing_since: Date.now() - 6 * 24 * 3600_000 })
      .where('id', '=', id)
      .execute();
    await r.waitFor(2);
    await sleep(300);
    expect(await endpoint(id)).toMatchObject({ enabled: false, disabledReason: 'failing' });
  });

  it("never lets one endpoint that times out delay another's deliveries", async () => {
    const stuck = await receiver(() => 'hang');
    const fine = await receiver();
    await create(stuck.url, ['message.created']);
    await create(fine.url, ['message.created']);
    const { sessionToken } = await anonymousSession(server);
    const started = Date.now();
    for (let i = 0; i < 30; i++) await seedHistory(server, sessionToken, `message ${i}`);
    const got = await fine.waitFor(30, 10_000);
    expect(got.at(-1)!.at - started).toBeLessThan(10_000);
    const lags = got.map((g) => g.at - Date.parse(parse(g).createdAt));
    expect(Math.max(...lags)).toBeLessThan(2000);
    // The stuck one holds at most its own share of attempts.
    expect(stuck.received.length).toBeLessThanOrEqual(16);
  });

  it("drops an erased user's undelivered events and tells of the erasure", async () => {
    let erased = false;
    const r = await receiver(() => ({ status: erased ? 200 : 500 }));
    await create(r.url, ['user.created', 'user.erased']);
    const userId = await newUser();
    await r.waitFor(1);
    expect((await server.request('DELETE', `/v1/users/${userId}`, admin())).statusCode).toBe(204);
    // Committed: an attempt already on the wire may still land; nothing is sent after that.
    const erasedAt = Date.now() + 300;
    erased = true;
    for (let i = 0; i < 50 && !r.received.some((g) => parse(g).type === 'user.erased'); i++) await sleep(100);
    await sleep(1000);
    const after = r.received.filter((g) => g.at > erasedAt).map(parse);
    expect(after.filter((b) => b.type === 'user.created')).toEqual([]);
    expect(
      r.received
        .map(parse)
        .filter((b) => b.type === 'user.erased')
        .map((b) => b.data.userId),
    ).toEqual([userId]);
  });

  it('sends nothing for a change that rolled back, and the committed one once', async () => {
    const r = await receiver();
    await create(r.url, ['conversation.updated']);
    const { sessionToken } = await anonymousSession(server);
    const conversationId = await seedHistory(server, sessionToken, 'roll me back');
    const conversation = (await server.request('GET', `/v1/conversations/${conversationId}`, admin())).json();
    await expect(
      server.runtime.storage.db.transaction().execute(async (trx) => {
        await recordEvents(
          trx,
          { userId: conversation.userId, inbox: true },
          [{ type: 'conversation.updated', conversation: { ...conversation, status: 'pending' } }],
          Date.now(),
        );
        throw new Error('the change failed after its events were written');
      }),
    ).rejects.toThrow('the change failed');
    await server.request('PATCH', `/v1/conversations/${conversationId}`, {
      ...admin(),
      body: { status: 'solved' },
    });
    await r.waitFor(1);
    await sleep(700);
    expect(r.received.map((g) => parse(g).data.conversation.status)).toEqual(['solved']);
  });
});
