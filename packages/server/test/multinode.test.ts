import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/agents/api-tokens.ts';
import { loadConfig } from '../src/config.ts';
import { createSigningKey } from '../src/identity/signing-keys.ts';
import { type Runtime, startRuntime } from '../src/runtime.ts';
import { PrivateRedis, privateSchema, ServerProcess } from './cluster.ts';
import { signUserToken, uniqueExternalId } from './harness.ts';
import { TestSocket } from './ws-client.ts';

/** The fields these tests read from the server's answers. */
type ResponseBody = { sessionToken: string; id: string; conversationId: string; error: { reason: string } };

const enabled = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

// Two server processes need PostgreSQL and Redis; CI sets both URLs, a bare `npm test` does not.
describe.skipIf(!enabled)('two server processes on PostgreSQL + Redis', () => {
  let redis: PrivateRedis;
  let schema: Awaited<ReturnType<typeof privateSchema>>;
  let a: ServerProcess;
  let b: ServerProcess;
  let admin: Runtime;
  let apiToken: string;
  let key: { kid: string; secret: string };
  const sockets: TestSocket[] = [];

  const post = async (base: string, path: string, body: unknown, token?: string) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => null)) as ResponseBody,
    };
  };
  const open = async (url: string, auth: Record<string, unknown>) => {
    const socket = await TestSocket.ready(url, auth);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    schema = await privateSchema(process.env.TEST_DATABASE_URL!);
    const masterKey = randomBytes(32).toString('hex');
    const env = {
      DATABASE_URL: schema.url,
      REDIS_URL: redis.url,
      SIGNET_MASTER_KEY: masterKey,
      MESSAGE_RATE_PER_SECOND: '1000',
    };
    a = await ServerProcess.start(env);
    b = await ServerProcess.start(env);
    admin = await startRuntime(loadConfig({ ...env, DATA_DIR: '/nonexistent-unused' }));
    apiToken = (await createApiToken(admin, { name: 'cluster admin' })).token;
    key = await createSigningKey(admin, 'cluster');
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await Promise.all([a?.stop(), b?.stop()]);
    await admin?.close();
    await redis?.stop();
    await schema?.drop();
  });

  it('a user on node A and an agent on node B talk live', async () => {
    const jwt = await signUserToken(key, { external_id: uniqueExternalId('cross'), name: 'Crossing' });
    const session = (await post(a.http, '/v1/client/login', { jwt })).body;
    const user = await open(`${a.ws}/v1/client/ws`, { sessionToken: session.sessionToken });
    const agent = await open(`${b.ws}/v1/ws`, { apiToken });

    user.send({ type: 'message.send', text: 'from node A', clientMessageId: 'x-1' });
    const created = await agent.waitFor((f) => f.type === 'message.created');
    const message = created.message as { conversationId: string; authenticated: boolean };
    expect(message.authenticated).toBe(true);

    const reply = await post(
      b.http,
      `/v1/conversations/${message.conversationId}/messages`,
      { text: 'from node B' },
      apiToken,
    );
    expect(reply.status).toBe(201);
    await user.waitFor(
      (f) => f.type === 'message.created' && (f.message as { text: string }).text === 'from node B',
    );
  });

  it('a key deleted through node A is refused by node B at once, and its sessions end on B', async () => {
    const doomed = await createSigningKey(admin, 'doomed');
    const externalId = uniqueExternalId('doomed');
    const session = (
      await post(b.http, '/v1/client/login', {
        jwt: await signUserToken(doomed, { external_id: externalId }),
      })
    ).body;
    const socketOnB = await open(`${b.ws}/v1/client/ws`, { sessionToken: session.sessionToken });

    const deleted = await fetch(`${a.http}/v1/signing-keys/${doomed.kid}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${apiToken}` },
    });
    expect(deleted.status).toBe(204);
    const refused = await post(b.http, '/v1/client/login', {
      jwt: await signUserToken(doomed, { external_id: externalId }),
    });
    expect(refused.status).toBe(401);
    expect(refused.body.error.reason).toBe('unknown_kid');
    const frame = await socketOnB.waitFor((f) => f.type === 'session.ended');
    expect(frame.reason).toBe('key_deleted');
    const send = await post(
      b.http,
      '/v1/client/messages',
      { text: 'x', clientMessageId: 'k-1' },
      session.sessionToken,
    );
    expect(send.status).toBe(401);
    expect(send.body.error.reason).toBe('key_deleted');
  });

  it('a merge through node A ends the merged visitor’s session on node B (IDENTITY.md §7)', async () => {
    const visitor = (await post(b.http, '/v1/client/sessions', {})).body as unknown as {
      sessionToken: string;
      user: { id: string };
    };
    const socketOnB = await open(`${b.ws}/v1/client/ws`, { sessionToken: visitor.sessionToken });
    const owner = (
      await post(a.http, '/v1/client/login', {
        jwt: await signUserToken(key, { external_id: uniqueExternalId('owner') }),
      })
    ).body as unknown as { user: { id: string } };
    const merged = await post(
      a.http,
      `/v1/users/${visitor.user.id}/merge`,
      { intoUserId: owner.user.id },
      apiToken,
    );
    expect(merged.status).toBe(200);
    const frame = await socketOnB.waitFor((f) => f.type === 'session.ended');
    expect(frame.reason).toBe('merged');
    const read = await fetch(`${b.http}/v1/client/conversations`, {
      headers: { authorization: `Bearer ${visitor.sessionToken}` },
    });
    expect(read.status).toBe(401);
  });

  it('Redis restarted mid-conversation: nothing is missed once it is back', async () => {
    const jwt = await signUserToken(key, { external_id: uniqueExternalId('outage') });
    const session = (await post(a.http, '/v1/client/login', { jwt })).body;
    const first = await post(
      a.http,
      '/v1/client/messages',
      { text: 'before the outage', clientMessageId: 'o-0' },
      session.sessionToken,
    );
    const conversationId = first.body.conversationId;
    const agent = await open(`${b.ws}/v1/ws`, { apiToken });
    const user = await open(`${a.ws}/v1/client/ws`, { sessionToken: session.sessionToken });

    await redis.stop();
    const during: string[] = [];
    for (let i = 1; i <= 20; i++) {
      const sent = await post(
        a.http,
        '/v1/client/messages',
        { text: `during ${i}`, clientMessageId: `o-${i}` },
        session.sessionToken,
      );
      expect(sent.status).toBe(201);
      during.push(sent.body.id);
    }
    const reply = await post(
      b.http,
      `/v1/conversations/${conversationId}/messages`,
      { text: 'agent during outage' },
      apiToken,
    );
    expect(reply.status).toBe(201);
    await redis.start();

    const seen = () => agent.of('message.created').map((f) => (f.message as { id: string }).id);
    await agent.waitUntil(() => during.every((id) => seen().includes(id)), 15_000, 'all messages on node B');
    expect(seen().filter((id) => during.includes(id))).toEqual(during);
    await user.waitFor(
      (f) => f.type === 'message.created' && (f.message as { id: string }).id === reply.body.id,
      15_000,
    );
    const cursors = agent.frames.filter((f) => f.cursor).map((f) => Number(f.cursor));
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(cursors).toEqual([...cursors].sort((x, y) => x - y));
  });
});
