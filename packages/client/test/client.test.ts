import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import { memoryStore } from '../src/token-store.ts';
import type { TokenStore } from '../src/types.ts';
import { suiteClients, texts, until } from './clients.ts';

/** The headless client against a real server, over real HTTP and WebSocket. */
describe('SignetClient', () => {
  const env = { SIGNET_MASTER_KEY: randomBytes(32).toString('hex') };
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-client-'));
  let server: TestServer;
  let url: string;
  let key: { kid: string; secret: string };
  const clients = suiteClients(() => url);
  const newClient = (store: TokenStore = memoryStore(), options = {}) => clients.make({ store, ...options });
  const tokenFor =
    (externalId: string, claims: Record<string, unknown> = {}) =>
    () =>
      signUserToken(key, { external_id: externalId, name: `Name ${externalId}`, ...claims });
  const agentReply = async (conversationId: string, text: string) =>
    server.request('POST', `/v1/conversations/${conversationId}/messages`, {
      token: server.agentToken,
      body: { text },
    });

  beforeAll(async () => {
    server = await startTestServer('sqlite', env, { dataDir });
    url = (await server.listen()).http;
    key = await server.createKey();
  });
  afterEach(() => {
    clients.stopAll();
  });
  afterAll(() => server.close());

  it('chats anonymously: sends, receives an agent reply live, counts and clears unread', async () => {
    const store = memoryStore();
    const client = newClient(store);
    await client.start();
    expect(client.state.user?.id).toBeTruthy();
    await until(() => client.state.connection === 'online', 'online');
    client.send('hello?');
    expect(client.state.pending).toHaveLength(1);
    await until(() => texts(client).includes('hello?') && client.state.pending.length === 0, 'ack');

    const unread: number[] = [];
    client.on('unread', (n) => unread.push(n));
    await agentReply(client.state.conversations[0]!.id, 'hi, how can we help?');
    await until(() => client.state.unreadCount === 1, 'unread');
    client.markRead();
    expect(client.state.unreadCount).toBe(0);
    expect(unread).toEqual([1, 0]);
    // The server agrees, so a reload shows no badge.
    const again = newClient(memoryStore(store.get()));
    await again.start();
    expect(again.state.unreadCount).toBe(0);
  });

  it('logs in keeping the anonymous conversation; a reload keeps user, session and history', async () => {
    const store = memoryStore();
    const client = newClient(store);
    await client.start();
    client.send('before login');
    await until(() => client.state.pending.length === 0, 'sent');
    const externalId = uniqueExternalId('client');
    const outcome = await client.login(tokenFor(externalId));
    expect(outcome.ok).toBe(true);
    expect(client.state).toMatchObject({ authenticated: true, user: { name: `Name ${externalId}` } });
    expect(texts(client)).toEqual(['before login']);
    const token = store.get();

    const reloaded = newClient(store);
    await reloaded.start();
    expect(store.get()).toBe(token);
    expect(reloaded.state.user?.id).toBe(client.state.user?.id);
    expect(reloaded.state.authenticated).toBe(true);
    expect(texts(reloaded)).toEqual(['before login']);
  });

  it('logout leaves an empty anonymous conversation; logging in again restores the history', async () => {
    const client = newClient();
    await client.start();
    const externalId = uniqueExternalId('out');
    await client.login(tokenFor(externalId));
    client.send('my history');
    await until(() => client.state.pending.length === 0, 'sent');
    const userId = client.state.user!.id;

    await client.logout();
    expect(client.state.authenticated).toBe(false);
    expect(client.state.user!.id).not.toBe(userId);
    expect(client.state.conversations).toEqual([]);

    await client.login(tokenFor(externalId));
    expect(client.state.user!.id).toBe(userId);
    expect(texts(client)).toEqual(['my history']);
  });

  it('when the page logs in someone else, the new user never sees the previous one’s messages', async () => {
    const client = newClient();
    await client.start();
    await client.login(tokenFor(uniqueExternalId('a')));
    client.send('secret of A');
    await until(() => client.state.pending.length === 0, 'sent');
    await client.login(tokenFor(uniqueExternalId('b')));
    expect(texts(client)).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(texts(client)).toEqual([]);
  });

  it('reports a failed login with its reason and stays usable as anonymous', async () => {
    const client = newClient();
    await client.start();
    const failures: string[] = [];
    client.on('loginFailed', ({ reason }) => failures.push(reason));
    const outcome = await client.login(() =>
      signUserToken({ kid: key.kid, secret: 'wrong' }, { external_id: 'x' }),
    );
    expect(outcome).toEqual({ ok: false, reason: 'bad_signature' });
    expect(failures).toEqual(['bad_signature']);
    expect(client.state.authenticated).toBe(false);
    client.send('still here');
    await until(() => texts(client).includes('still here'), 'sent anonymously');
  });

  it('asks the page for a fresh token before the current one expires, without a break', async () => {
    const client = newClient(memoryStore(), { refreshBeforeExpirySeconds: 59 });
    await client.start();
    const externalId = uniqueExternalId('refresh');
    let calls = 0;
    await client.login(() => {
      calls++;
      return signUserToken(key, { external_id: externalId, exp: Math.floor(Date.now() / 1000) + 61 });
    });
    const userId = client.state.user!.id;
    await until(() => calls >= 2, 'a second token request', 6000);
    await until(() => client.state.authenticated && client.state.connection === 'online', 'still online');
    expect(client.state.user!.id).toBe(userId);
  });

  it('comes back after a server restart and shows what was sent meanwhile; offline sends arrive once', async () => {
    const client = newClient();
    await client.start();
    client.send('first');
    await until(() => client.state.pending.length === 0, 'sent');
    const conversationId = client.state.conversations[0]!.id;
    const port = Number(new URL(url).port);

    await server.close();
    await until(() => client.state.connection !== 'online', 'offline');
    client.send('typed while offline');
    server = await startTestServer('sqlite', env, { dataDir });
    await server.listen(port);
    await agentReply(conversationId, 'sent while you were away');

    await until(() => texts(client).includes('sent while you were away'), 'missed message', 8000);
    await until(() => texts(client).includes('typed while offline'), 'offline send', 8000);
    expect(texts(client).filter((t) => t === 'typed while offline')).toHaveLength(1);
  });
  it('stops in the background and, started again, resumes the same session with what came meanwhile', async () => {
    const client = newClient();
    await client.start();
    await client.login(tokenFor(uniqueExternalId('app')));
    const id = client.send('before the background');
    await until(
      () =>
        client.state.conversations.length > 0 && !client.state.pending.some((p) => p.clientMessageId === id),
      'stored',
    );
    const userId = client.state.user?.id;
    client.stop();
    expect(client.state.connection).toBe('idle');
    const conversationId = client.state.conversations[0]!.id;
    expect((await agentReply(conversationId, 'while you were away')).statusCode).toBe(201);
    await client.start();
    expect(client.state.user?.id).toBe(userId);
    await until(() => texts(client).includes('while you were away'), 'the reply sent while stopped');
    await until(() => client.state.connection === 'online', 'online again');
  });
});
