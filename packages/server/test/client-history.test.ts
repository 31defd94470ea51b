import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession } from './factories.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';

type Message = { id: string; conversationId: string; text: string };
type Conversation = { id: string; messages: Message[]; messagesCursor: string | null };

/**
 * The messenger's history pages (API.md "Client API"): every conversation and every
 * message is reachable by following cursors, in order, exactly once; nothing is cut off.
 */
describe.each(DATABASES)('client history paging on %s', (kind) => {
  let server: TestServer;
  let token: string;
  let otherToken: string;
  const CONVERSATIONS = 120;
  const LONG = 250;
  let longId: string;
  const sentIn = new Map<string, string[]>();

  const get = async (url: string, as = token) => server.request('GET', url, { token: as });
  const userSends = async (text: string) => {
    const response = await server.request('POST', '/v1/client/messages', {
      token,
      body: { text, clientMessageId: `c-${text}` },
    });
    expect(response.statusCode).toBe(201);
    const message = response.json() as Message;
    sentIn.set(message.conversationId, [...(sentIn.get(message.conversationId) ?? []), message.text]);
    return message;
  };
  const agentSends = async (conversationId: string, text: string) => {
    const response = await server.request('POST', `/v1/conversations/${conversationId}/messages`, {
      token: server.agentToken,
      body: { text },
    });
    expect(response.statusCode).toBe(201);
    sentIn.get(conversationId)!.push(text);
  };

  beforeAll(async () => {
    server = await startTestServer(kind, { MESSAGE_RATE_PER_SECOND: '0' });
    token = (await anonymousSession(server)).sessionToken;
    otherToken = (await anonymousSession(server)).sessionToken;
    // 120 conversations, each a follow-up of the solved one before it.
    for (let i = 0; i < CONVERSATIONS; i++) {
      const { conversationId } = await userSends(`conversation ${i}`);
      if (i === 60) {
        longId = conversationId;
        for (let j = 1; j < LONG; j++) await agentSends(conversationId, `long ${j}`);
      }
      await server.request('PATCH', `/v1/conversations/${conversationId}`, {
        token: server.agentToken,
        body: { status: 'solved' },
      });
    }
  }, 120_000);
  afterAll(() => server?.close());

  it('reaches all 120 conversations and all 250 messages of the long one by cursors, in order, once each', async () => {
    const conversations: Conversation[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const response = await get(`/v1/client/conversations?limit=7${before ? `&before=${before}` : ''}`);
      expect(response.statusCode).toBe(200);
      const body = response.json();
      conversations.push(...body.data);
      before = body.nextCursor;
      pages++;
    } while (before !== null && pages < 100);
    expect(pages).toBe(Math.ceil(CONVERSATIONS / 7));
    const ids = conversations.map((c) => c.id);
    expect(new Set(ids).size).toBe(CONVERSATIONS);
    expect(ids).toEqual([...ids].sort().reverse()); // newest first
    expect(ids.map((id) => sentIn.get(id)![0])).toEqual(
      Array.from({ length: CONVERSATIONS }, (_, i) => `conversation ${CONVERSATIONS - 1 - i}`),
    );

    for (const conversation of conversations) {
      const texts = conversation.messages.map((m) => m.text);
      let cursor = conversation.messagesCursor;
      let hops = 0;
      while (cursor !== null && hops++ < 100) {
        const page = (
          await get(`/v1/client/conversations/${conversation.id}/messages?before=${cursor}&limit=33`)
        ).json();
        texts.unshift(...page.data.map((m: Message) => m.text));
        cursor = page.nextCursor;
      }
      expect(texts).toEqual(sentIn.get(conversation.id));
    }
    const long = conversations.find((c) => c.id === longId)!;
    expect(long.messages).toHaveLength(50);
    expect(long.messagesCursor).toBe(long.messages[0]!.id);
    expect(sentIn.get(longId)).toHaveLength(LONG);
  });

  it('a page with nothing older has no cursor, and without paging the first page still says where the rest is', async () => {
    const first = (await get('/v1/client/conversations')).json();
    expect(first.data).toHaveLength(50);
    expect(first.nextCursor).toBe(first.data[49].id);
    const last = (await get(`/v1/client/conversations/${longId}/messages?limit=200`)).json();
    expect(last.data).toHaveLength(200);
    const rest = (
      await get(`/v1/client/conversations/${longId}/messages?limit=200&before=${last.nextCursor}`)
    ).json();
    expect(rest.data).toHaveLength(50);
    expect(rest.nextCursor).toBeNull();
    expect(rest.data[0].text).toBe('conversation 60');
  });

  it('refuses a limit outside 1..200 and unknown parameters with 400, and another user’s conversation with 404', async () => {
    for (const limit of ['0', '201', '-1', '1.5', 'ten', '']) {
      for (const url of ['/v1/client/conversations', `/v1/client/conversations/${longId}/messages`]) {
        const response = await get(`${url}?limit=${limit}`);
        expect(response.statusCode, `${url} limit=${limit}`).toBe(400);
        expect(response.json().error.code).toBe('validation_failed');
      }
    }
    expect((await get('/v1/client/conversations?limit=1')).json().data).toHaveLength(1);
    expect((await get('/v1/client/conversations?limit=200')).json().data).toHaveLength(CONVERSATIONS);
    expect((await get('/v1/client/conversations?cursor=x')).statusCode).toBe(400);
    const foreign = await get(`/v1/client/conversations/${longId}/messages`, otherToken);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('not_found');
    expect((await get('/v1/client/conversations?limit=0', 'sst_nope')).statusCode).toBe(401);
    expect((await get(`/v1/client/conversations/${longId}/messages?limit=0`, 'sst_nope')).statusCode).toBe(
      401,
    );
  });
});
