import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DATABASES,
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import type { SignetClient } from '../src/client.ts';
import { memoryStore } from '../src/token-store.ts';
import type { TokenStore, WebSocketLike } from '../src/types.ts';
import { type nodeWebSocket, suiteClients, texts, until } from './clients.ts';

/** A socket that never opens: the client then speaks HTTP only, so HTTP answers decide. */
const noSocket = () =>
  ({
    readyState: 0,
    send() {},
    close() {},
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  }) as WebSocketLike;

/** IDENTITY.md §7 from the device's side: every way a session ends, and what the messenger does next. */
describe.each(DATABASES)('the messenger when its session ends, on %s', (kind) => {
  let server: TestServer;
  let url: string;
  let key: { kid: string; secret: string };
  const clients = suiteClients(() => url);
  const newClient = (options: { store?: TokenStore; webSocket?: typeof nodeWebSocket } = {}) =>
    clients.make(options);
  /** The page's token function, counting its calls; `signWith` may change (a new key). */
  const tokenFunction = (externalId: string, claims: () => Record<string, unknown> = () => ({})) => {
    const fn = Object.assign(
      () => {
        fn.calls++;
        return signUserToken(fn.key, { external_id: externalId, name: `Name ${externalId}`, ...claims() });
      },
      { calls: 0, key },
    );
    return fn;
  };
  const ended = (client: SignetClient) => {
    const seen: { reason: string; next: string }[] = [];
    client.on('sessionEnded', (e) => seen.push(e));
    return seen;
  };
  const admin = (method: string, path: string, body?: unknown) =>
    server.request(method, path, { token: server.adminToken, body });
  const sendAndWait = async (client: SignetClient, text: string) => {
    client.send(text);
    await until(() => texts(client).includes(text) && client.state.pending.length === 0, `"${text}" stored`);
  };
  /** Moves the server's clock forward for the rest of a test. */
  let realNow: () => number;
  const moveClock = (ms: number) => {
    server.runtime.now = () => Date.now() + ms;
  };

  beforeAll(async () => {
    server = await startTestServer(kind, { MESSAGE_RATE_PER_SECOND: '1000' });
    url = (await server.listen()).http;
    key = await server.createKey();
    realNow = server.runtime.now;
  });
  afterEach(() => {
    clients.stopAll();
    server.runtime.now = realNow;
  });
  afterAll(() => server.close());

  it('logout (from another copy of the session): a fresh anonymous session without the old messages', async () => {
    const store = memoryStore();
    const client = newClient({ store });
    await client.start();
    const login = tokenFunction(uniqueExternalId('logout'));
    await client.login(login);
    await sendAndWait(client, 'private');
    await until(() => client.state.connection === 'online', 'online');
    const before = client.state.user!.id;
    const events = ended(client);

    const other = newClient({ store: memoryStore(store.get()) });
    await other.start();
    await other.logout();
    await until(() => events.length > 0, 'session.ended');
    expect(events).toEqual([{ reason: 'logout', next: 'anonymous' }]);
    await until(() => client.state.user?.id !== before, 'a new user');
    expect(client.state.authenticated).toBe(false);
    expect(texts(client)).toEqual([]);
    expect(login.calls).toBe(1); // no login again after a logout
    await sendAndWait(client, 'as a visitor');
    expect(texts(client)).toEqual(['as a visitor']);
  });

  it('key deleted: the page’s function is called again and the same user is found, history and all', async () => {
    const client = newClient();
    await client.start();
    const login = tokenFunction(uniqueExternalId('key'));
    login.key = await server.createKey('first key');
    await client.login(login);
    await sendAndWait(client, 'before the key went');
    await until(() => client.state.connection === 'online', 'online');
    const userId = client.state.user!.id;
    const events = ended(client);

    const second = await server.createKey('second key');
    const first = login.key;
    login.key = second;
    expect((await admin('DELETE', `/v1/signing-keys/${first.kid}`)).statusCode).toBe(204);
    await until(() => login.calls === 2, 'the token function called again');
    await until(() => events.length > 0, 'the end reported');
    expect(events).toEqual([{ reason: 'key_deleted', next: 'login' }]);
    await until(
      () => client.state.authenticated && texts(client).includes('before the key went'),
      'history back',
    );
    expect(client.state.user!.id).toBe(userId);
    await sendAndWait(client, 'with the new key');
  });

  it('401 session_expired on an HTTP call: drops the session, logs in again, and the message goes through', async () => {
    const client = newClient({ webSocket: noSocket });
    await client.start();
    const externalId = uniqueExternalId('expired');
    const login = tokenFunction(externalId);
    await client.login(login);
    await sendAndWait(client, 'day one');
    const { id: userId } = client.state.user!;
    const events = ended(client);

    moveClock(25 * 3_600_000); // past authenticatedSessionHours (24) for a token without exp
    client.send('the next day');
    await until(() => events.length > 0, 'the end noticed');
    expect(events).toEqual([{ reason: 'session_expired', next: 'login' }]);
    expect(login.calls).toBe(2);
    await until(() => texts(client).includes('the next day') && client.state.pending.length === 0, 'resent');
    expect(client.state.user!.id).toBe(userId);
    expect(texts(client)).toEqual(['day one', 'the next day']);
    const stored = client.state.conversations
      .flatMap((c) => c.messages)
      .find((m) => m.text === 'the next day');
    expect(stored?.authenticated).toBe(true);
  });

  it('401 session_expired with no login function: a fresh anonymous session, the old history gone', async () => {
    const client = newClient({ webSocket: noSocket });
    await client.start();
    await sendAndWait(client, 'a month ago');
    const before = client.state.user!.id;
    const events = ended(client);
    moveClock(31 * 86_400_000); // past anonymousSessionDays (30)
    client.send('back again');
    await until(() => events.length > 0, 'the end noticed');
    expect(events).toEqual([{ reason: 'session_expired', next: 'anonymous' }]);
    await until(() => texts(client).includes('back again'), 'sent as a new visitor');
    expect(client.state.user!.id).not.toBe(before);
    expect(texts(client)).toEqual(['back again']);
  });

  it('merged by hand into someone else: the visitor keeps nothing of that person', async () => {
    const client = newClient();
    await client.start();
    await sendAndWait(client, 'I am victim@example.com');
    await until(() => client.state.connection === 'online', 'online');
    const visitor = client.state.user!.id;
    const victim = await admin('POST', '/v1/users', {
      name: 'Victim',
      externalId: uniqueExternalId('victim'),
    });
    expect(victim.statusCode).toBe(201);
    const events = ended(client);
    const merged = await admin('POST', `/v1/users/${visitor}/merge`, { intoUserId: victim.json().id });
    expect(merged.statusCode).toBe(200);
    await until(() => events.length > 0, 'session.ended merged');
    expect(events).toEqual([{ reason: 'merged', next: 'anonymous' }]);
    await until(() => client.state.user && client.state.user.id !== visitor, 'a new visitor');
    expect(client.state.user!.id).not.toBe(victim.json().id);
    expect(texts(client)).toEqual([]);
  });

  it('replaced by a login in another tab of the device: follows the new token, no login of its own', async () => {
    const store = memoryStore();
    const tab = newClient({ store });
    await tab.start();
    const externalId = uniqueExternalId('tabs');
    const login = tokenFunction(externalId);
    await tab.login(login);
    await until(() => tab.state.connection === 'online', 'online');
    const events = ended(tab);
    const otherTab = newClient({ store });
    await otherTab.start();
    const again = tokenFunction(externalId);
    await otherTab.login(again);
    await until(() => events.length > 0, 'replaced');
    expect(events).toEqual([{ reason: 'replaced', next: 'adopted' }]);
    expect(login.calls).toBe(1);
    await until(() => tab.state.connection === 'online', 'online again');
    expect(tab.state.user!.id).toBe(otherTab.state.user!.id);
    expect(tab.state.authenticated).toBe(true);
  });

  it('session.reauth_required: logs in again with the current session, no end and no gap', async () => {
    // The session ends 3 s from now by the server's clock, so the server asks ahead (after half of that).
    const exp = Math.floor(Date.now() / 1000) + 600;
    moveClock(exp * 1000 + 60_000 - 3_000 - Date.now());
    const client = newClient();
    await client.start();
    const login = tokenFunction(uniqueExternalId('reauth'), () =>
      login.calls === 1 ? { exp } : { exp: Math.floor(server.runtime.now() / 1000) + 3600 },
    );
    const reauths: string[] = [];
    client.on('reauth', ({ reason }) => reauths.push(reason));
    const events = ended(client);
    expect((await client.login(login)).ok).toBe(true);
    const { id: userId } = client.state.user!;
    await sendAndWait(client, 'before');
    await until(() => login.calls === 2, 'a second token', 6000);
    expect(reauths).toEqual(['token_expired']);
    await new Promise((r) => setTimeout(r, 3000)); // past the first session's end
    expect(events).toEqual([]);
    expect(client.state).toMatchObject({ authenticated: true, connection: 'online' });
    expect(client.state.user!.id).toBe(userId);
    await sendAndWait(client, 'after');
    expect(texts(client)).toEqual(['before', 'after']);
  });
});
