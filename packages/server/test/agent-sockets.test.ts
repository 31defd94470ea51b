import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../src/agents/create-agent.ts';
import { privateSchema } from './cluster.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';
import { TestSocket } from './ws-client.ts';

const PASSWORD = 'a long enough password';

/** Signs in through the API; the cookie and the CSRF token the app would hold. */
async function signIn(server: TestServer, email: string): Promise<{ cookie: string; csrf: string }> {
  const response = await server.request('POST', '/v1/agent/login', { body: { email, password: PASSWORD } });
  if (response.statusCode !== 200) throw new Error(`sign-in: ${response.statusCode} ${response.body}`);
  const cookie = String(response.headers['set-cookie']).split(';')[0]!;
  server.secrets.add(cookie.split('=')[1]!);
  return { cookie, csrf: response.json().csrfToken };
}

/** Resolves with the HTTP status when the upgrade is refused, or 101 when it goes through. */
async function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  try {
    const socket = await TestSocket.open(url, { headers });
    socket.terminate();
    return 101;
  } catch (error) {
    const status = /HTTP (\d+)/.exec(String(error))?.[1];
    if (!status) throw error;
    return Number(status);
  }
}

/** Waits for the close and measures how long it took from `since`. */
async function closedWithin(socket: TestSocket, since: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error('still open after 3 s')), 3000);
  });
  try {
    await Promise.race([socket.closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return Date.now() - since;
}

describe.each(DATABASES)('agent sockets on %s', (kind) => {
  let server: TestServer;
  let urls: { http: string; ws: string };

  beforeAll(async () => {
    server = await startTestServer(kind);
    urls = await server.listen();
    await createAgent(server.runtime, {
      email: 'ws@shop.example',
      name: 'Wes',
      role: 'agent',
      password: PASSWORD,
    });
  });
  afterAll(() => server.close());

  it('refuses the cookie from a foreign origin with 403 before the upgrade; its own origin works', async () => {
    const { cookie } = await signIn(server, 'ws@shop.example');
    const url = `${urls.ws}/v1/ws`;
    expect(await upgradeStatus(url, { cookie, origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(url, { cookie, origin: 'null' })).toBe(403);
    expect(await upgradeStatus(url, { cookie })).toBe(403); // a browser always sends Origin
    // Same host, other scheme or port: another origin.
    expect(await upgradeStatus(url, { cookie, origin: urls.http.replace('http:', 'https:') })).toBe(403);

    const own = await TestSocket.open(url, { headers: { cookie, origin: urls.http } });
    own.send({ type: 'auth' });
    await own.waitFor((f) => f.type === 'ready');
    own.close();
  });

  it('takes an API token without any Origin', async () => {
    const socket = await TestSocket.ready(`${urls.ws}/v1/ws`, { apiToken: server.agentToken });
    expect(socket.of('ready')).toHaveLength(1);
    socket.close();
  });

  it('ends the socket of an agent who signs out, within a second', async () => {
    const { cookie, csrf } = await signIn(server, 'ws@shop.example');
    const other = await signIn(server, 'ws@shop.example');
    const socket = await TestSocket.open(`${urls.ws}/v1/ws`, { headers: { cookie, origin: urls.http } });
    socket.send({ type: 'auth' });
    await socket.waitFor((f) => f.type === 'ready');
    const otherSocket = await TestSocket.open(`${urls.ws}/v1/ws`, {
      headers: { cookie: other.cookie, origin: urls.http },
    });
    otherSocket.send({ type: 'auth' });
    await otherSocket.waitFor((f) => f.type === 'ready');

    const started = Date.now();
    const out = await server.request('POST', '/v1/agent/logout', {
      headers: { cookie, 'x-csrf-token': csrf },
      body: {},
    });
    expect(out.statusCode).toBe(204);
    expect(await closedWithin(socket, started)).toBeLessThan(1000);
    // Only the session that signed out: the agent's other session keeps its socket.
    await new Promise((r) => setTimeout(r, 200));
    otherSocket.send({ type: 'ping' });
    await otherSocket.waitFor((f) => f.type === 'pong');
    otherSocket.close();
  });

  it('ends the sockets of an agent who loses the role they used, or is deleted, within a second', async () => {
    const created = await createAgent(server.runtime, {
      email: 'temp@shop.example',
      name: 'Temp',
      role: 'admin',
      password: PASSWORD,
    });
    const open = async () => {
      const { cookie } = await signIn(server, 'temp@shop.example');
      const socket = await TestSocket.open(`${urls.ws}/v1/ws`, { headers: { cookie, origin: urls.http } });
      socket.send({ type: 'auth' });
      await socket.waitFor((f) => f.type === 'ready');
      return { socket, cookie };
    };
    const admin = { token: server.adminToken };
    const asAdmin = await open();
    let started = Date.now();
    const demoted = await server.request('PATCH', `/v1/agents/${created.id}`, {
      ...admin,
      body: { role: 'agent' },
    });
    expect(demoted.json()).toMatchObject({ id: created.id, role: 'agent' });
    expect(await closedWithin(asAdmin.socket, started)).toBeLessThan(1000);

    const asAgent = await open();
    started = Date.now();
    expect((await server.request('DELETE', `/v1/agents/${created.id}`, admin)).statusCode).toBe(204);
    expect(await closedWithin(asAgent.socket, started)).toBeLessThan(1000);
    const after = await server.request('GET', '/v1/agent/me', { headers: { cookie: asAgent.cookie } });
    expect(after.statusCode).toBe(401);
    expect((await server.request('DELETE', `/v1/agents/${created.id}`, admin)).statusCode).toBe(404);
  });

  it('ends the sockets of a deleted API token, within a second', async () => {
    const created = (
      await server.request('POST', '/v1/api-tokens', {
        token: server.adminToken,
        body: { name: 'doomed', role: 'agent' },
      })
    ).json();
    server.secrets.add(created.token);
    const socket = await TestSocket.ready(`${urls.ws}/v1/ws`, { apiToken: created.token });
    const bystander = await TestSocket.ready(`${urls.ws}/v1/ws`, { apiToken: server.agentToken });
    const started = Date.now();
    const deleted = await server.request('DELETE', `/v1/api-tokens/${created.id}`, {
      token: server.adminToken,
    });
    expect(deleted.statusCode).toBe(204);
    expect(await closedWithin(socket, started)).toBeLessThan(1000);
    expect((await socket.closed).code).toBe(4401);
    bystander.send({ type: 'ping' });
    await bystander.waitFor((f) => f.type === 'pong');
    bystander.close();
  });
});

// Two nodes on one database and one Redis: the deletion happens on A, the socket is on B.
describe.skipIf(!(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL))(
  'agent sockets across nodes',
  () => {
    it('a token deleted on node A ends its socket on node B within a second', async () => {
      const schema = await privateSchema(process.env.TEST_DATABASE_URL!);
      // One installation: every node shares the master key (the second would refuse to start otherwise).
      const env = {
        REDIS_URL: process.env.TEST_REDIS_URL!,
        SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
      };
      const a = await startTestServer('postgres', env, { schema: schema.schema });
      const b = await startTestServer('postgres', env, { schema: schema.schema });
      try {
        const { ws } = await b.listen();
        const created = (
          await a.request('POST', '/v1/api-tokens', {
            token: a.adminToken,
            body: { name: 'far', role: 'agent' },
          })
        ).json();
        const socket = await TestSocket.ready(`${ws}/v1/ws`, { apiToken: created.token });
        const started = Date.now();
        expect(
          (await a.request('DELETE', `/v1/api-tokens/${created.id}`, { token: a.adminToken })).statusCode,
        ).toBe(204);
        expect(await closedWithin(socket, started)).toBeLessThan(1000);
      } finally {
        await a.close();
        await b.close();
        await schema.drop();
      }
    });
  },
);
