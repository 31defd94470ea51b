import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { SignetClient } from '../src/client.ts';
import { memoryStore } from '../src/token-store.ts';
import type { WebSocketLike } from '../src/types.ts';

/**
 * The client shows history without holes and reaches all of it by `loadOlder`: 8
 * conversations (pages of 3) and one of them with 130 messages (50 at a time).
 */
describe('history paging in the client', () => {
  let server: TestServer;
  let url: string;
  const store = memoryStore();
  const sent: string[] = [];

  beforeAll(async () => {
    server = await startTestServer('sqlite', { MESSAGE_RATE_PER_SECOND: '0' });
    url = (await server.listen()).http;
    const session = (await server.request('POST', '/v1/client/sessions', { body: {} })).json();
    store.set(session.sessionToken);
    for (let i = 0; i < 8; i++) {
      const text = `conversation ${i}`;
      const message = (
        await server.request('POST', '/v1/client/messages', {
          token: session.sessionToken,
          body: { text, clientMessageId: text },
        })
      ).json();
      sent.push(text);
      if (i === 5)
        for (let j = 1; j < 130; j++) {
          await server.request('POST', `/v1/conversations/${message.conversationId}/messages`, {
            token: server.agentToken,
            body: { text: `reply ${j}` },
          });
          sent.push(`reply ${j}`);
        }
      await server.request('PATCH', `/v1/conversations/${message.conversationId}`, {
        token: server.agentToken,
        body: { status: 'solved' },
      });
    }
  }, 60_000);
  afterAll(() => server.close());

  it('starts with the newest page, shows no hole, and loads everything older in order, once', async () => {
    const client = new SignetClient({
      serverUrl: url,
      store,
      pageSize: 3,
      webSocket: (u) => new WebSocket(u) as unknown as WebSocketLike,
    });
    await client.start();
    const shown = () => client.state.conversations.flatMap((c) => c.messages.map((m) => m.text));
    // Newest 3 conversations: 7, 6 and the long 5, whose newest 50 end the contiguous part.
    expect(shown()).toEqual(sent.slice(-52));
    expect(client.state.hasOlder).toBe(true);
    const lengths = [shown().length];
    while (client.state.hasOlder && lengths.length < 20) {
      await client.loadOlder();
      lengths.push(shown().length);
      // Whatever is shown is always the newest part of the history, without a gap.
      expect(shown()).toEqual(sent.slice(-shown().length));
    }
    expect(shown()).toEqual(sent);
    expect(lengths).toEqual([52, 102, 132, 135, 137]);
    expect(await client.loadOlder()).toBe(false);
    client.stop();
  });
});
