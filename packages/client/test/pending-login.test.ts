import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import { memoryStore } from '../src/token-store.ts';
import { suiteClients, texts, until } from './clients.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A message typed while the host page's login is under way waits for it and goes out
 * through the authenticated session; the default bot (on here) then knows the user's
 * name and email from the token and asks for neither.
 */
describe('a send during a pending login', () => {
  let server: TestServer;
  let url: string;
  let key: { kid: string; secret: string };
  const clients = suiteClients(() => url);
  const requests: string[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    return fetch(input, init);
  };
  const newClient = () => clients.make({ fetch: recordingFetch });
  /** A token function as slow as a real backend round trip, for a customer with name and email. */
  const slowToken = (externalId: string, delayMs: number) => async () => {
    await sleep(delayMs);
    return signUserToken(key, {
      external_id: externalId,
      name: 'Ada Lovelace',
      email: `${externalId}@example.com`,
      email_verified: true,
    });
  };
  /** Every message of the user, as the agents see them. */
  const storedMessages = async (externalId: string) => {
    const user = (
      await server.request('GET', `/v1/users?externalId=${externalId}`, { token: server.adminToken })
    ).json().data[0];
    const conversations = (
      await server.request('GET', `/v1/conversations?userId=${user.id}`, { token: server.adminToken })
    ).json().data;
    const messages = [];
    for (const c of conversations)
      messages.push(
        ...(
          await server.request('GET', `/v1/conversations/${c.id}/messages`, { token: server.adminToken })
        ).json().data,
      );
    return messages as { author: { type: string }; text: string; authenticated: boolean }[];
  };
  const botAsksForDetails = (messages: { author: { type: string }; text: string }[]) =>
    messages.some((m) => m.author.type === 'bot' && /name should we use|email address/.test(m.text));

  beforeAll(async () => {
    server = await startTestServer('sqlite', {}, { bot: true });
    url = (await server.listen()).http;
    key = await server.createKey();
  });
  afterEach(() => {
    clients.stopAll();
    requests.length = 0;
  });
  afterAll(() => server.close());

  it('waits for the login and sends authenticated; the bot asks for neither name nor email', async () => {
    const client = newClient();
    await client.start();
    await until(() => client.state.connection === 'online', 'online as a visitor');
    const externalId = uniqueExternalId('pending');
    const login = client.login(slowToken(externalId, 600));
    client.send('Where is my order?');
    await sleep(300);
    expect(requests.filter((r) => r === 'POST /v1/client/messages')).toEqual([]);
    expect((await login).ok).toBe(true);

    const messages = await until(async () => {
      const all = await storedMessages(externalId);
      return all.some((m) => m.author.type === 'bot') ? all : undefined;
    }, 'the bot’s answer');
    const mine = messages.filter((m) => m.author.type === 'user');
    expect(mine).toEqual([expect.objectContaining({ text: 'Where is my order?', authenticated: true })]);
    await sleep(300); // the bot would have asked by now
    expect(botAsksForDetails(await storedMessages(externalId))).toBe(false);
    expect(client.state.pending).toEqual([]);
  });

  it('with a login at start, creates no anonymous session and sends nothing before it', async () => {
    const client = newClient();
    const externalId = uniqueExternalId('at-start');
    const login = client.login(slowToken(externalId, 500));
    client.send('Hello from the first second');
    await client.start();
    expect((await login).ok).toBe(true);
    await until(() => client.state.pending.length === 0, 'the message stored');
    expect(requests).not.toContain('POST /v1/client/sessions');
    expect(requests.indexOf('POST /v1/client/login')).toBeLessThan(
      requests.indexOf('POST /v1/client/messages') === -1
        ? Infinity
        : requests.indexOf('POST /v1/client/messages'),
    );
    const messages = await storedMessages(externalId);
    expect(messages.filter((m) => m.author.type === 'user')).toEqual([
      expect.objectContaining({ text: 'Hello from the first second', authenticated: true }),
    ]);
    expect(botAsksForDetails(messages)).toBe(false);
  });

  it('a login at start takes the visitor’s stored session along: the earlier history joins it', async () => {
    const store = memoryStore();
    const visit = clients.make({ store });
    await visit.start();
    visit.send('asked as a visitor');
    await until(() => visit.state.pending.length === 0, 'stored');
    visit.stop();

    const reload = clients.make({ store });
    const login = reload.login(slowToken(uniqueExternalId('returning'), 300));
    await reload.start();
    expect(await login).toMatchObject({ ok: true });
    await until(() => texts(reload).includes('asked as a visitor'), 'the visitor’s history');
  });

  it('a visitor who sends without any login is asked for details (the check above can fail)', async () => {
    const client = newClient();
    await client.start();
    client.send('just browsing');
    await until(
      () => client.state.conversations.flatMap((c) => c.messages).some((m) => m.author.type === 'bot'),
      'the bot',
    );
    const texts = client.state.conversations.flatMap((c) => c.messages.map((m) => m.text));
    expect(texts.some((t) => /name should we use/.test(t))).toBe(true);
  });
});
