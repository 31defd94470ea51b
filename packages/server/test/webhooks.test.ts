import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, seedHistory } from './factories.ts';
import { DATABASES, leakedSecrets, startTestServer, type TestServer } from './harness.ts';
import { parse, type Received, Receiver } from './webhooks-receiver.ts';

type LogEntry = {
  id: string;
  eventId: string;
  status: string;
  attempts: { httpStatus: number | null; durationMs: number; response: string; error: string | null }[];
};

const verifiers = (secret: string) => [new StandardWebhook(secret), new SvixWebhook(secret)];

/** Both third-party verifiers, as a receiver would run them. */
function verifiedBy(secret: string, r: Received): boolean[] {
  return verifiers(secret).map((v) => {
    try {
      v.verify(r.body, r.headers);
      return true;
    } catch {
      return false;
    }
  });
}

describe.each(DATABASES)('webhooks on %s', (kind) => {
  let server: TestServer;
  let receiver: Receiver;
  const admin = () => ({ token: server.adminToken });
  const create = async (url: string, events: string[] = ['*']) => {
    const response = await server.request('POST', '/v1/webhooks', { ...admin(), body: { url, events } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; secret: string; secretPrefix: string };
  };

  beforeAll(async () => {
    server = await startTestServer(kind, {
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_RETRY_SCHEDULE: '0.2,0.2,0.2',
    });
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('shows the secret once, as whsec_ and 32 bytes, and never again', async () => {
    const endpoint = await create(receiver.url, ['user.created']);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(endpoint.secret.slice(6), 'base64')).toHaveLength(32);
    expect(endpoint.secret.startsWith(endpoint.secretPrefix)).toBe(true);
    const list = await server.request('GET', '/v1/webhooks', admin());
    const one = await server.request('GET', `/v1/webhooks/${endpoint.id}`, admin());
    for (const response of [list, one]) {
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain(endpoint.secret);
      expect(response.body).not.toContain('"secret"');
    }
    expect(leakedSecrets(server)).toEqual([]);
    await server.request('DELETE', `/v1/webhooks/${endpoint.id}`, admin());
  });

  it('refuses bad URLs and event names, agents, and unknown ids', async () => {
    const bad = async (body: unknown, code: string) => {
      const response = await server.request('POST', '/v1/webhooks', { ...admin(), body });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.code).toBe(code);
    };
    await bad({ url: 'ftp://example.com/x', events: ['*'] }, 'invalid_webhook_url');
    await bad({ url: 'not a url', events: ['*'] }, 'invalid_webhook_url');
    await bad({ url: 'https://u:p@example.com/x', events: ['*'] }, 'invalid_webhook_url');
    await bad({ url: receiver.url, events: ['user.exploded'] }, 'validation_failed');
    await bad({ url: receiver.url, events: [] }, 'validation_failed');
    const agent = await server.request('POST', '/v1/webhooks', {
      token: server.agentToken,
      body: { url: receiver.url, events: ['*'] },
    });
    expect(agent.statusCode).toBe(403);
    expect((await server.request('GET', '/v1/webhooks/nonsense', admin())).statusCode).toBe(404);
    expect(
      (await server.request('GET', '/v1/webhooks/01890000-0000-7000-8000-000000000000', admin())).statusCode,
    ).toBe(404);
  });

  it('delivers every event type signed so that standardwebhooks and svix both accept it', async () => {
    const endpoint = await create(receiver.url);
    const before = receiver.received.length;
    const user = (
      await server.request('POST', '/v1/users', {
        ...admin(),
        body: { name: 'Ada', externalId: `ext-${kind}-1` },
      })
    ).json();
    const { sessionToken } = await anonymousSession(server);
    const conversationId = await seedHistory(server, sessionToken, 'hello webhooks');
    await server.request('PATCH', `/v1/conversations/${conversationId}`, {
      ...admin(),
      body: { status: 'solved' },
    });
    await server.request('PATCH', `/v1/users/${user.id}`, { ...admin(), body: { name: 'Ada L.' } });
    const got = (await receiver.waitFor(before + 5)).slice(before);
    const types = got.map((r) => parse(r).type);
    expect(types).toEqual(
      expect.arrayContaining([
        'user.created',
        'conversation.created',
        'message.created',
        'conversation.updated',
        'user.updated',
      ]),
    );
    for (const r of got) {
      expect(verifiedBy(endpoint.secret, r)).toEqual([true, true]);
      const body = parse(r);
      expect(r.headers['webhook-id']).toBe(body.id);
      expect(body.id).toMatch(/^evt_/);
      expect(r.headers['content-type']).toBe('application/json');
    }
    const created = got.map(parse).find((b) => b.type === 'user.created')!;
    expect(created.data.user).toMatchObject({ id: user.id, name: 'Ada', externalId: `ext-${kind}-1` });
    const message = got.map(parse).find((b) => b.type === 'message.created')!;
    expect(message.data.message).toMatchObject({ text: 'hello webhooks', conversationId });
    const sequences = got.map(parse).map((b) => b.sequence);
    expect(new Set(sequences).size).toBe(sequences.length);

    // Refusals: a changed body, a wrong secret, an old timestamp.
    const sample = got[0]!;
    const tampered = { ...sample, body: sample.body.replace('"type"', '"type" ') };
    expect(verifiedBy(endpoint.secret, tampered)).toEqual([false, false]);
    const other = await create(receiver.url, ['user.erased']);
    expect(verifiedBy(other.secret, sample)).toEqual([false, false]);
    const realNow = server.runtime.now;
    server.runtime.now = () => Date.now() - 10 * 60_000;
    try {
      const count = receiver.received.length;
      expect((await server.request('POST', `/v1/webhooks/${endpoint.id}/test`, admin())).statusCode).toBe(
        202,
      );
      const [old] = (await receiver.waitFor(count + 1)).slice(count);
      expect(Number(old!.headers['webhook-timestamp'])).toBeLessThan(Date.now() / 1000 - 500);
      expect(verifiedBy(endpoint.secret, old!)).toEqual([false, false]);
    } finally {
      server.runtime.now = realNow;
    }
    for (const id of [endpoint.id, other.id]) await server.request('DELETE', `/v1/webhooks/${id}`, admin());
  });

  it('sends only the subscribed types, and nothing while disabled', async () => {
    const endpoint = await create(receiver.url, ['user.created']);
    const off = await create(receiver.url, ['user.created']);
    const patched = await server.request('PATCH', `/v1/webhooks/${off.id}`, {
      ...admin(),
      body: { enabled: false },
    });
    expect(patched.json()).toMatchObject({ enabled: false, disabledReason: 'admin' });
    expect((await server.request('POST', `/v1/webhooks/${off.id}/test`, admin())).json().error.code).toBe(
      'webhook_disabled',
    );
    const before = receiver.received.length;
    const { sessionToken } = await anonymousSession(server);
    await seedHistory(server, sessionToken, 'not subscribed');
    const user = (await server.request('POST', '/v1/users', { ...admin(), body: { name: 'Grace' } })).json();
    await receiver.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 500));
    const got = receiver.received.slice(before).map(parse);
    expect(got.map((b) => b.type)).toEqual(['user.created']);
    expect(got[0]!.data.user.id).toBe(user.id);
    for (const id of [endpoint.id, off.id]) await server.request('DELETE', `/v1/webhooks/${id}`, admin());
  });

  it('rotates with an overlap: both secrets verify for 24 h, then only the new one', async () => {
    const endpoint = await create(receiver.url, ['user.created']);
    const rotated = await server.request('POST', `/v1/webhooks/${endpoint.id}/rotate-secret`, admin());
    expect(rotated.statusCode).toBe(200);
    const { secret } = rotated.json() as { secret: string };
    expect(secret).not.toBe(endpoint.secret);
    const count = receiver.received.length;
    await server.request('POST', `/v1/webhooks/${endpoint.id}/test`, admin());
    const [during] = (await receiver.waitFor(count + 1)).slice(count);
    expect(during!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifiedBy(secret, during!)).toEqual([true, true]);
    expect(verifiedBy(endpoint.secret, during!)).toEqual([true, true]);

    const realNow = server.runtime.now;
    server.runtime.now = () => Date.now() + 25 * 3600_000;
    try {
      await server.request('POST', `/v1/webhooks/${endpoint.id}/test`, admin());
      const [after] = (await receiver.waitFor(count + 2)).slice(count + 1);
      // The verifiers check the timestamp against their own clock; re-stamp only the clock skew away.
      expect(after!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
      const body = JSON.parse(after!.body);
      expect(body.type).toBe('webhook.test');
      const skewed = { ...after!, headers: { ...after!.headers } };
      const sw = new StandardWebhook(secret);
      const ts = new Date(Number(after!.headers['webhook-timestamp']) * 1000);
      expect(sw.sign(after!.headers['webhook-id']!, ts, after!.body)).toBe(
        skewed.headers['webhook-signature'],
      );
      expect(
        new StandardWebhook(endpoint.secret).sign(after!.headers['webhook-id']!, ts, after!.body),
      ).not.toBe(skewed.headers['webhook-signature']);
    } finally {
      server.runtime.now = realNow;
    }
    await server.request('DELETE', `/v1/webhooks/${endpoint.id}`, admin());
  });

  it('keeps a delivery log, and retries and replays with the same webhook-id', async () => {
    const endpoint = await create(receiver.url, ['user.created']);
    const count = receiver.received.length;
    const since = new Date().toISOString();
    await server.request('POST', '/v1/users', { ...admin(), body: { name: 'Alan' } });
    const [first] = (await receiver.waitFor(count + 1)).slice(count);
    // The receiver has it; the attempt is recorded a moment later.
    let log = { data: [] as LogEntry[] };
    for (let i = 0; i < 50 && log.data.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      log = (
        await server.request('GET', `/v1/webhooks/${endpoint.id}/deliveries?status=delivered`, admin())
      ).json();
    }
    expect(log.data).toHaveLength(1);
    const delivery = log.data[0]!;
    expect(delivery).toMatchObject({
      eventId: first!.headers['webhook-id'],
      status: 'delivered',
      attemptCount: 1,
    });
    expect(delivery.attempts[0]).toMatchObject({ httpStatus: 200, response: 'ok', error: null });
    expect(delivery.attempts[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(
      (await server.request('GET', `/v1/webhooks/${endpoint.id}/deliveries?status=failed`, admin())).json()
        .data,
    ).toEqual([]);
    expect(
      (await server.request('GET', `/v1/webhooks/${endpoint.id}/deliveries?limit=0`, admin())).statusCode,
    ).toBe(400);

    const retried = await server.request(
      'POST',
      `/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/retry`,
      admin(),
    );
    expect(retried.statusCode).toBe(202);
    const [again] = (await receiver.waitFor(count + 2)).slice(count + 1);
    expect(again!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(again!.body).toBe(first!.body);

    const replay = await server.request('POST', `/v1/webhooks/${endpoint.id}/replay`, {
      ...admin(),
      body: { since },
    });
    expect(replay.json()).toEqual({ queued: 1 });
    const [replayed] = (await receiver.waitFor(count + 3)).slice(count + 2);
    expect(replayed!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    const bad = await server.request('POST', `/v1/webhooks/${endpoint.id}/replay`, {
      ...admin(),
      body: { since, until: since },
    });
    expect(bad.statusCode).toBe(400);
    await server.request('DELETE', `/v1/webhooks/${endpoint.id}`, admin());
  });
});

describe('webhook targets without WEBHOOK_ALLOW_PRIVATE', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server?.close());

  it('refuses loopback, private and link-local targets at creation', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://192.168.1.1/',
      'http://[::1]:8080/',
      'http://localhost:8080/',
    ]) {
      const response = await server.request('POST', '/v1/webhooks', {
        token: server.adminToken,
        body: { url, events: ['*'] },
      });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code, url).toBe('private_webhook_target');
    }
    const ok = await server.request('POST', '/v1/webhooks', {
      token: server.adminToken,
      body: { url: 'https://93.184.216.34/hook', events: ['*'] },
    });
    expect(ok.statusCode).toBe(201);
    const moved = await server.request('PATCH', `/v1/webhooks/${ok.json().id}`, {
      token: server.adminToken,
      body: { url: 'http://10.0.0.1/' },
    });
    expect(moved.json().error.code).toBe('private_webhook_target');
  });
});
