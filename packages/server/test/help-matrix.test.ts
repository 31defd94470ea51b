import { CLOSE } from '@signet/protocol';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWERED_QUESTION } from '../src/bot/suggest-articles.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';
import { useSuggestingBot } from './help-factories.ts';
import {
  type Articles,
  AUDIENCES,
  type Audience,
  type Cell,
  enterState,
  MATRIX,
  STATES,
  type Surface,
  seedArticles,
  type Viewer,
} from './help-matrix.ts';
import { TestSocket } from './ws-client.ts';

type ServerSurface = Exclude<Surface, 'messenger'>;
/** What one surface gave a viewer: the cell as observed, and every text it was sent. */
type Seen = { cell: unknown; texts: string[] };

/**
 * The server's columns of the visibility matrix (help-matrix.ts): for every viewer state,
 * each surface gives exactly the cell the table says, and no title or body word of an
 * article outside that cell reaches the viewer, not even in a refusal or a 404.
 */
describe.each(DATABASES)('the help visibility matrix on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  let articles: Articles;
  let socketUrl: string;

  beforeAll(async () => {
    server = await startTestServer(kind, { MESSAGE_RATE_PER_SECOND: '100' }, { bot: true });
    socketUrl = `${(await server.listen()).ws}/v1/client/ws`;
    key = await server.createKey();
    await useSuggestingBot(server, 5);
    articles = await seedArticles(server);
  });
  afterAll(() => server.close());

  const withCookie = (viewer: Viewer) => ({
    headers: viewer.cookie ? { cookie: viewer.cookie } : ({} as Record<string, string>),
  });
  /** Two ways of reading the same surface must agree; when they do not, both show in the diff. */
  const agree = (one: unknown, other: unknown) =>
    JSON.stringify(one) === JSON.stringify(other) ? one : { disagree: [one, other] };
  /** All answers a 401 with one code: the refusal; else undefined. */
  const refusal = (answers: { statusCode: number; json(): { error?: { code?: string } } }[]) => {
    if (!answers.every((a) => a.statusCode === 401)) return undefined;
    const codes = [...new Set(answers.map((a) => a.json().error?.code))];
    return { refused: codes.length === 1 ? codes[0] : codes };
  };

  const surfaces: Record<ServerSurface, (viewer: Viewer) => Promise<Seen>> = {
    async page(viewer) {
      const read: Audience[] = [];
      const other: string[] = [];
      const texts: string[] = [];
      for (const audience of AUDIENCES) {
        const page = await server.request(
          'GET',
          `/help/articles/${articles.ids[audience]}`,
          withCookie(viewer),
        );
        texts.push(page.body);
        if (page.statusCode === 200) read.push(audience);
        else if (page.statusCode !== 404) other.push(`${audience}: HTTP ${page.statusCode}`);
      }
      return { cell: other.length ? { unexpected: other } : read, texts };
    },

    async search(viewer) {
      const page = await server.request('GET', '/help/search?q=zebrafish', withCookie(viewer));
      return {
        cell: page.statusCode === 200 ? articles.named(page.body) : `HTTP ${page.statusCode}`,
        texts: [page.body],
      };
    },

    async clientApi(viewer) {
      const token = viewer.token;
      const reads: LightMyRequestResponse[] = [];
      for (const audience of AUDIENCES)
        reads.push(await server.request('GET', `/v1/client/articles/${articles.ids[audience]}`, { token }));
      const search = await server.request('GET', '/v1/client/articles?query=zebrafish', { token });
      const texts = [...reads, search].map((r) => r.body);
      const refused = refusal([...reads, search]);
      if (refused) return { cell: refused, texts };
      const read = AUDIENCES.filter((_, i) => reads[i]!.statusCode === 200);
      const notFound = AUDIENCES.filter((_, i) => reads[i]!.statusCode === 404);
      const found = search.statusCode === 200 ? articles.named(search.body) : `HTTP ${search.statusCode}`;
      const cell = read.length + notFound.length === AUDIENCES.length ? agree(read, found) : { reads: texts };
      return { cell, texts };
    },

    /**
     * The first message of a conversation, over the socket as the messenger sends it when
     * online; the bot has answered before the ack. A viewer the socket refuses must be
     * refused over HTTP too (the messenger's other path), with the same code.
     */
    async bot(viewer) {
      const text = 'Anything about zebrafish?';
      const clientMessageId = `matrix-${Math.random()}`;
      const socket = await TestSocket.open(socketUrl);
      try {
        socket.send({ type: 'auth', ...(viewer.token ? { sessionToken: viewer.token } : {}) });
        await socket.waitFor((f) => f.type === 'ready' || f.type === 'error');
        const frames = () => socket.frames.map((f) => JSON.stringify(f));
        if (!socket.of('ready').length) {
          // Refused: an error frame with the code, then the socket closed as unauthorized.
          const closed = await socket.closed;
          const overSocket =
            closed.code === CLOSE.unauthorized ? { refused: socket.of('error')[0]?.code } : closed;
          const http = await server.request('POST', '/v1/client/messages', {
            token: viewer.token,
            body: { text, clientMessageId },
          });
          return {
            cell: agree(overSocket, refusal([http]) ?? `HTTP ${http.statusCode}`),
            texts: [...frames(), http.body],
          };
        }
        socket.send({ type: 'message.send', text, clientMessageId });
        const ack = await socket.waitFor((f) => f.type === 'message.ack' || f.type === 'error');
        if (ack.type === 'error') return { cell: { unexpected: ack }, texts: frames() };
        const conversations = await server.request('GET', '/v1/client/conversations', {
          token: viewer.token,
        });
        const said: string[] = conversations
          .json()
          .data[0].messages.filter((m: { author: { type: string } }) => m.author.type === 'bot')
          .map((m: { text: string }) => m.text);
        const offer = said.find((t) => t.includes(ANSWERED_QUESTION));
        return { cell: offer ? articles.named(offer) : [], texts: [...frames(), conversations.body] };
      } finally {
        socket.close();
      }
    },

    async sitemap(viewer) {
      const sitemap = await server.request('GET', '/help/sitemap.xml', withCookie(viewer));
      return { cell: articles.named(sitemap.body), texts: [sitemap.body] };
    },
  };
  const columns = Object.keys(surfaces) as ServerSurface[];

  it.each(STATES)('%s: every cell of its row', async (state) => {
    const viewer = await enterState(server, key, state, articles);
    const seen = {} as Record<ServerSurface, unknown>;
    const told = {} as Record<ServerSurface, Audience[]>;
    const expected = {} as Record<ServerSurface, Cell>;
    try {
      for (const surface of columns) {
        const { cell, texts } = await surfaces[surface](viewer);
        const cellExpected = MATRIX[state][surface];
        const readable = Array.isArray(cellExpected) ? cellExpected : [];
        seen[surface] = cell;
        expected[surface] = cellExpected;
        told[surface] = articles.told(texts.join('\n')).filter((a) => !readable.includes(a));
      }
    } finally {
      viewer.leave();
    }
    expect(seen).toEqual(expected);
    // Titles and body words of articles outside the cell, anywhere in what the viewer was sent.
    expect(told).toEqual(Object.fromEntries(columns.map((c) => [c, []])));
  });
});
