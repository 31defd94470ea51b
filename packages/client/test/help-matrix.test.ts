import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, signUserToken, startTestServer, type TestServer } from '../../server/test/harness.ts';
import { setUserTags } from '../../server/test/help-factories.ts';
import {
  type Articles,
  AUDIENCES,
  type Audience,
  claimsFor,
  expireSignedInSessions,
  MATRIX,
  STATES,
  seedArticles,
  TAG,
  type ViewerState,
} from '../../server/test/help-matrix.ts';
import { HelpError, type SignetClient } from '../src/index.ts';
import { suiteClients } from './clients.ts';

/**
 * The messenger column of the help visibility matrix (server/test/help-matrix.ts): what
 * the messenger's Help view shows, its search and its article view, read through the
 * client as the widget reads it, for each viewer state. Each state is reached the way a
 * device reaches it: the client's own start, login and logout, and the server's clock
 * for a token that runs out.
 */
describe.each(DATABASES)('the messenger’s Help view in every viewer state on %s', (kind) => {
  let server: TestServer;
  let url: string;
  let key: { kid: string; secret: string };
  let articles: Articles;
  const clients = suiteClients(() => url);
  const newClient = () => clients.make();

  beforeAll(async () => {
    server = await startTestServer(kind);
    url = (await server.listen()).http;
    key = await server.createKey('shop backend');
    articles = await seedArticles(server);
  });
  afterEach(() => {
    clients.stopAll();
  });
  afterAll(() => server.close());

  const readsTagged = async (client: SignetClient) =>
    (await client.help.article(articles.ids.segment)) !== null;

  /** A signed-in device; its page hands out one token, then has none (its customer signed out there too). */
  const signedIn = async (state: 'withoutTag' | 'withTag' | 'ended' | 'loggedOut') => {
    const client = newClient();
    let token: Promise<string> | undefined = signUserToken(key, claimsFor(state));
    const login = client.login(() => {
      const once = token;
      token = undefined;
      return once ?? Promise.reject(new Error('not signed in on the page'));
    });
    await client.start();
    expect(await login).toMatchObject({ ok: true });
    expect(client.state.authenticated).toBe(true);
    return client;
  };

  /** The device in `state`, ready for its Help view; `leave()` puts back the server's clock. */
  const messengerIn: Record<ViewerState, () => Promise<{ client: SignetClient; leave?: () => void }>> = {
    // A device with no session opens the messenger: the Help view asks at once, while the session starts.
    async noSession() {
      const client = newClient();
      void client.start();
      expect(client.state.user).toBeNull();
      return { client };
    },
    async anonymous() {
      const client = newClient();
      await client.start();
      await setUserTags(server, client.state.user!.id, [TAG]);
      return { client };
    },
    withoutTag: () => signedIn('withoutTag').then((client) => ({ client })),
    withTag: () => signedIn('withTag').then((client) => ({ client })),
    // The token runs out while the Help view is open: its next read is refused, and the
    // messenger goes on as a new anonymous visitor (the page has no fresh token to give).
    async ended() {
      const client = await signedIn('ended');
      expect(await readsTagged(client)).toBe(true);
      const ended = new Promise((resolve) => client.on('sessionEnded', resolve));
      const leave = expireSignedInSessions(server);
      const refused = await client.help.search('zebrafish').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(HelpError);
      expect(refused).toMatchObject({ status: 401, code: 'session_expired' });
      expect(await ended).toEqual({ reason: 'session_expired', next: 'anonymous' });
      return { client, leave };
    },
    async loggedOut() {
      const client = await signedIn('loggedOut');
      expect(await readsTagged(client)).toBe(true);
      await client.logout();
      return { client };
    },
  };

  /** What the Help view shows: the articles its search lists and those that open; they must agree. */
  const helpView = async (client: SignetClient) => {
    const hits = await client.help.search('zebrafish');
    const texts = [JSON.stringify(hits)];
    const opened: Audience[] = [];
    for (const audience of AUDIENCES) {
      const article = await client.help.article(articles.ids[audience]);
      if (!article) continue;
      opened.push(audience);
      texts.push(JSON.stringify(article));
    }
    const listed = articles.named(texts[0]!);
    return { cell: JSON.stringify(listed) === JSON.stringify(opened) ? opened : { listed, opened }, texts };
  };

  it.each(STATES)('%s', async (state) => {
    const { client, leave } = await messengerIn[state]();
    try {
      const { cell, texts } = await helpView(client);
      const expected = MATRIX[state].messenger;
      expect(cell).toEqual(expected);
      // Titles and body words of what the cell leaves out never reach the device.
      const readable = Array.isArray(expected) ? expected : [];
      expect(articles.told(texts.join('\n')).filter((a) => !readable.includes(a))).toEqual([]);
      // Where the row has no session of its own, the messenger read as a new anonymous visitor.
      if (state === 'noSession' || state === 'ended' || state === 'loggedOut')
        expect(client.state).toMatchObject({ authenticated: false, user: { authenticated: false } });
    } finally {
      leave?.();
    }
  });
});
