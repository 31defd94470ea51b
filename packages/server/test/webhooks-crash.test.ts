import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/agents/api-tokens.ts';
import { loadConfig } from '../src/config.ts';
import { startRuntime } from '../src/runtime.ts';
import { privateSchema, ServerProcess } from './cluster.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';
import { parse, Receiver } from './webhooks-receiver.ts';

const post = async (base: string, path: string, token: string, body: unknown) => {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { id: string; secret: string } };
};

describe.each(DATABASES)('the webhook outbox across a crash on %s', (kind) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('delivers an event whose change committed just before kill -9, after the restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'signet-crash-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_RETRY_SCHEDULE: '0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3',
    };
    if (kind === 'postgres') {
      const schema = await privateSchema(process.env.TEST_DATABASE_URL!);
      cleanup.push(schema.drop);
      env.DATABASE_URL = schema.url;
    }
    const server = await ServerProcess.start(env);
    cleanup.push(() => server.stop('SIGKILL'));
    const admin = await startRuntime(loadConfig(env));
    const { token } = await createApiToken(admin, { name: 'crash admin' });
    await admin.close();

    // Until the kill the receiver refuses everything: the event cannot be delivered before it.
    let up = false;
    const receiver = await Receiver.start(() => ({ status: up ? 200 : 503 }));
    cleanup.push(() => receiver.close());
    const created = await post(server.http, '/v1/webhooks', token, {
      url: receiver.url,
      events: ['user.created'],
    });
    expect(created.status).toBe(201);
    const user = await post(server.http, '/v1/users', token, { name: 'Katherine' });
    expect(user.status).toBe(201);
    await server.stop('SIGKILL');

    up = true;
    const restartedAt = Date.now();
    await server.start();
    const deadline = Date.now() + 30_000;
    while (!receiver.received.some((r) => r.at > restartedAt) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const delivered = receiver.received.find((r) => r.at > restartedAt);
    const body = parse(delivered!);
    expect(body.type).toBe('user.created');
    expect(body.data.user.id).toBe(user.body.id);
    expect(() =>
      new StandardWebhook(created.body.secret).verify(delivered!.body, delivered!.headers),
    ).not.toThrow();
  }, 150_000);
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('two nodes delivering from one PostgreSQL outbox', () => {
  const nodes: TestServer[] = [];
  let receiver: Receiver;
  let drop: () => Promise<void> = async () => {};
  afterEach(async () => {
    for (const node of nodes) await node.close();
    await receiver?.close();
    await drop();
  });

  it('delivers 1,000 events at least once each; a duplicate always repeats its webhook-id', async () => {
    const schema = await privateSchema(process.env.TEST_DATABASE_URL!);
    drop = schema.drop;
    // Nodes of one deployment share the master key that seals endpoint secrets.
    const env = {
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_RETRY_SCHEDULE: '0.1,0.1,0.1,0.1,0.1',
      SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
    };
    nodes.push(await startTestServer('postgres', env, { schema: schema.schema }));
    nodes.push(await startTestServer('postgres', env, { schema: schema.schema }));
    // One answer in ten fails at first, so retries and leases are exercised too.
    receiver = await Receiver.start((_req, i) => ({ status: i % 10 === 3 ? 503 : 200 }));
    const [a, b] = nodes as [TestServer, TestServer];
    const created = await a.request('POST', '/v1/webhooks', {
      token: a.adminToken,
      body: { url: receiver.url, events: ['user.created'] },
    });
    expect(created.statusCode).toBe(201);
    const userIds = new Set<string>();
    for (let i = 0; i < 1000; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, j) => {
          const node = (i + j) % 2 === 0 ? a : b;
          return node.request('POST', '/v1/users', {
            token: node.adminToken,
            body: { name: `user ${i + j}` },
          });
        }),
      );
      for (const response of batch) userIds.add(response.json().id);
    }
    expect(userIds.size).toBe(1000);

    const deadline = Date.now() + 90_000;
    const seen = () =>
      new Set(receiver.received.filter((r) => r.headers['webhook-id']).map((r) => parse(r).data.user.id));
    while (seen().size < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(seen()).toEqual(userIds);
    const bodyById = new Map<string, string>();
    for (const r of receiver.received) {
      const id = r.headers['webhook-id']!;
      const earlier = bodyById.get(id);
      if (earlier !== undefined) expect(r.body).toBe(earlier);
      bodyById.set(id, r.body);
      // Every event's webhook-id is its own, whichever node sent it.
      expect(parse(r).id).toBe(id);
    }
    expect(bodyById.size).toBe(1000);
  }, 240_000);
});
