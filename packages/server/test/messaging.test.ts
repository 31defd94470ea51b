import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login, seedHistory } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';
import { TestSocket } from './ws-client.ts';

describe.each(DATABASES)('live messaging on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  let urls: { http: string; ws: string };
  const sockets: TestSocket[] = [];
  const clientSocket = async (sessionToken: string, since?: string) => {
    const socket = await TestSocket.ready(`${urls.ws}/v1/client/ws`, {
      sessionToken,
      ...(since ? { since } : {}),
    });
    sockets.push(socket);
    return socket;
  };
  const agentSocket = async () => {
    const socket = await TestSocket.ready(`${urls.ws}/v1/ws`, { apiToken: server.agentToken });
    sockets.push(socket);
    return socket;
  };
  const loginAs = async (externalId: string, sessionToken?: string, claims: Record<string, unknown> = {}) =>
    (
      await login(
        server,
        await signUserToken(key, { external_id: externalId, name: `Name ${externalId}`, ...claims }),
        sessionToken,
      )
    ).json();
  const history = async (sessionToken: string) =>
    (await server.request('GET', '/v1/client/conversations', { token: sessionToken })).json();
  const send = (sessionToken: string, text: string, extra: Record<string, unknown> = {}) =>
    server.request('POST', '/v1/client/messages', {
      token: sessionToken,
      body: { text, clientMessageId: `m-${Math.random()}`, ...extra },
    });

  beforeAll(async () => {
    server = await startTestServer(kind, { MESSAGE_RATE_PER_SECOND: '50', MAX_SOCKETS_PER_USER: '4' });
    key = await server.createKey();
    urls = await server.listen();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await server.close();
  });

  it('two devices of one user and an agent: a message from device 1 reaches device 2 and the agent, once each', async () => {
    const externalId = uniqueExternalId('two-devices');
    const one = await loginAs(externalId);
    const two = await loginAs(externalId);
    const [device1, device2, agent] = [
      await clientSocket(one.sessionToken),
      await clientSocket(two.sessionToken),
      await agentSocket(),
    ];

    device1.send({ type: 'message.send', text: 'hello from device 1', clientMessageId: 'd1-1' });
    const ack = await device1.waitFor((f) => f.type === 'message.ack');
    const message = ack.message as { id: string; authenticated: boolean; author: { name: string } };
    expect(message).toMatchObject({
      authenticated: true,
      author: { type: 'user', name: `Name ${externalId}` },
    });

    for (const socket of [device1, device2, agent]) {
      await socket.waitFor(
        (f) => f.type === 'message.created' && (f.message as { id: string }).id === message.id,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
    for (const socket of [device2, agent]) {
      expect(
        socket.of('message.created').filter((f) => (f.message as { id: string }).id === message.id),
      ).toHaveLength(1);
    }
    expect(agent.of('conversation.created')).toHaveLength(1);

    // The agent answers over HTTP; both devices see it live.
    const conversationId = (ack.message as { conversationId: string }).conversationId;
    const reply = await server.request('POST', `/v1/conversations/${conversationId}/messages`, {
      token: server.agentToken,
      body: { text: 'hi there' },
    });
    expect(reply.statusCode).toBe(201);
    for (const socket of [device1, device2]) {
      await socket.waitFor(
        (f) => f.type === 'message.created' && (f.message as { text: string }).text === 'hi there',
      );
    }
    const cursors = device2.frames.filter((f) => f.cursor).map((f) => Number(f.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
  });

  it('an anonymous chat keeps its history on login; a second device of that user sees it', async () => {
    const device = await anonymousSession(server);
    await seedHistory(server, device.sessionToken, 'question before login');
    const anonymousMessages = (await history(device.sessionToken)).data[0].messages;
    expect(anonymousMessages[0]).toMatchObject({ text: 'question before login', authenticated: false });

    const externalId = uniqueExternalId('keeps');
    const session = await loginAs(externalId, device.sessionToken);
    expect(session.mergedAnonymous).toBe(true);
    await send(session.sessionToken, 'after login');
    const texts = (await history(session.sessionToken)).data.flatMap((c: { messages: { text: string }[] }) =>
      c.messages.map((m) => m.text),
    );
    expect(texts).toEqual(['question before login', 'after login']);

    const other = await loginAs(externalId);
    const seen = (await history(other.sessionToken)).data.flatMap(
      (c: { messages: { text: string; authenticated: boolean }[] }) => c.messages,
    );
    expect(seen.map((m: { text: string; authenticated: boolean }) => [m.text, m.authenticated])).toEqual([
      ['question before login', false],
      ['after login', true],
    ]);
  });

  it('logout closes that session’s sockets and refuses its token; logging in again brings the history back', async () => {
    const externalId = uniqueExternalId('logout');
    const session = await loginAs(externalId);
    await send(session.sessionToken, 'remember me');
    const socket = await clientSocket(session.sessionToken);
    const other = await clientSocket((await loginAs(externalId)).sessionToken);

    expect(
      (await server.request('POST', '/v1/client/logout', { token: session.sessionToken })).statusCode,
    ).toBe(204);
    await socket.waitFor((f) => f.type === 'session.ended');
    expect((await socket.closed).code).toBe(4000);
    expect(
      (await server.request('GET', '/v1/client/conversations', { token: session.sessionToken })).statusCode,
    ).toBe(401);
    const reconnect = await TestSocket.open(`${urls.ws}/v1/client/ws`);
    reconnect.send({ type: 'auth', sessionToken: session.sessionToken });
    expect((await reconnect.closed).code).toBe(4401);
    // The user's other device is untouched.
    other.send({ type: 'ping' });
    await other.waitFor((f) => f.type === 'pong');

    const again = await loginAs(externalId);
    expect((await history(again.sessionToken)).data[0].messages.map((m: { text: string }) => m.text)).toEqual(
      ['remember me'],
    );
  });

  it('messages sent back to back on one socket, without waiting for acks, are stored in the order sent', async () => {
    const session = await loginAs(uniqueExternalId('order'));
    const socket = await clientSocket(session.sessionToken);
    const texts = Array.from({ length: 30 }, (_, i) => `in order ${i}`);
    for (const [i, text] of texts.entries())
      socket.send({ type: 'message.send', text, clientMessageId: `o-${i}` });
    await socket.waitUntil(() => socket.of('message.ack').length === texts.length);
    const stored = (await history(session.sessionToken)).data.flatMap(
      (cv: { messages: { text: string }[] }) => cv.messages.map((m) => m.text),
    );
    expect(stored).toEqual(texts);
    // Acks come back in the same order.
    expect(socket.of('message.ack').map((f) => (f.message as { text: string }).text)).toEqual(texts);
  });

  it('an agent’s replies sent back to back on one socket are stored in the order sent', async () => {
    const session = await loginAs(uniqueExternalId('agent-order'));
    const conversationId = await seedHistory(server, session.sessionToken, 'hello');
    const agent = await agentSocket();
    const texts = Array.from({ length: 30 }, (_, i) => `reply ${i}`);
    for (const [i, text] of texts.entries())
      agent.send({ type: 'message.send', conversationId, text, clientMessageId: `r-${i}` });
    await agent.waitUntil(() => agent.of('message.ack').length === texts.length);
    const stored = (await history(session.sessionToken)).data.flatMap(
      (cv: { messages: { text: string }[] }) => cv.messages.map((m) => m.text),
    );
    expect(stored).toEqual(['hello', ...texts]);
  });

  it('the same clientMessageId five times, over HTTP and WebSocket, some at once, makes one message', async () => {
    const session = await loginAs(uniqueExternalId('idem'));
    const socket = await clientSocket(session.sessionToken);
    const body = { text: 'only once', clientMessageId: 'idem-1' };
    const post = () => server.request('POST', '/v1/client/messages', { token: session.sessionToken, body });
    const [a, b] = await Promise.all([post(), post()]);
    socket.send({ type: 'message.send', ...body });
    socket.send({ type: 'message.send', ...body });
    const c = await post();
    await socket.waitUntil(() => socket.of('message.ack').length === 2);
    const ids = new Set(
      [a, b, c]
        .map((r) => r.json().id)
        .concat(socket.of('message.ack').map((f) => (f.message as { id: string }).id)),
    );
    expect(ids.size).toBe(1);
    expect([a, b, c].map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    const messages = (await history(session.sessionToken)).data.flatMap(
      (cv: { messages: unknown[] }) => cv.messages,
    );
    expect(messages).toHaveLength(1);
  });

  it('a socket that misses 100 messages gets exactly those 100, in order, when it comes back with its cursor', async () => {
    const session = await loginAs(uniqueExternalId('resume'));
    const socket = await clientSocket(session.sessionToken);
    await send(session.sessionToken, 'before');
    await socket.waitFor((f) => f.type === 'message.created');
    const cursor = socket.lastCursor!;
    socket.terminate();
    await socket.closed;

    const conversationId = (await history(session.sessionToken)).data[0].id;
    const sentIds: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await server.request('POST', `/v1/conversations/${conversationId}/messages`, {
        token: server.agentToken,
        body: { text: `missed ${i}` },
      });
      sentIds.push(r.json().id);
    }
    const back = await clientSocket(session.sessionToken, cursor);
    const replayed = back.of('message.created').map((f) => (f.message as { id: string }).id);
    expect(replayed).toEqual(sentIds);
    const readyIndex = back.frames.findIndex((f) => f.type === 'ready');
    expect(back.frames.slice(0, readyIndex).filter((f) => f.type === 'message.created')).toHaveLength(100);
  });

  it('a cursor the server cannot use gets bad_cursor, and the socket carries on live', async () => {
    const session = await loginAs(uniqueExternalId('badcursor'));
    const socket = await TestSocket.open(`${urls.ws}/v1/client/ws`);
    sockets.push(socket);
    socket.send({ type: 'auth', sessionToken: session.sessionToken, since: '999999999999' });
    await socket.waitFor((f) => f.type === 'error' && f.code === 'bad_cursor');
    await socket.waitFor((f) => f.type === 'ready');
    await send(session.sessionToken, 'still live');
    await socket.waitFor((f) => f.type === 'message.created');
  });

  it('a new question to a solved conversation starts a follow-up; within the reopen window it reopens', async () => {
    const session = await loginAs(uniqueExternalId('followup'));
    const first = (await send(session.sessionToken, 'first question')).json();
    await server.request('PATCH', `/v1/conversations/${first.conversationId}`, {
      token: server.agentToken,
      body: { status: 'solved' },
    });
    const second = (await send(session.sessionToken, 'new question')).json();
    expect(second.conversationId).not.toBe(first.conversationId);
    const followUp = (
      await server.request('GET', `/v1/conversations/${second.conversationId}`, { token: server.agentToken })
    ).json();
    expect(followUp).toMatchObject({ status: 'open', followUpOf: first.conversationId });
    const solvedStill = (
      await server.request('GET', `/v1/conversations/${first.conversationId}`, { token: server.agentToken })
    ).json();
    expect(solvedStill.status).toBe('solved');
    // One continuous history for the messenger, across both conversations.
    const texts = (await history(session.sessionToken)).data
      .reverse()
      .flatMap((c: { messages: { text: string }[] }) => c.messages.map((m) => m.text));
    expect(texts).toEqual(['first question', 'new question']);

    await server.request('PATCH', '/v1/settings', {
      token: server.adminToken,
      body: { reopenSolvedWithinMinutes: 60 },
    });
    try {
      await server.request('PATCH', `/v1/conversations/${second.conversationId}`, {
        token: server.agentToken,
        body: { status: 'solved' },
      });
      await new Promise((r) => setTimeout(r, 1100)); // settings are cached for up to a second
      const third = (await send(session.sessionToken, 'one more thing')).json();
      expect(third.conversationId).toBe(second.conversationId);
      const reopened = (
        await server.request('GET', `/v1/conversations/${second.conversationId}`, {
          token: server.agentToken,
        })
      ).json();
      expect(reopened.status).toBe('open');
    } finally {
      await server.request('PATCH', '/v1/settings', {
        token: server.adminToken,
        body: { reopenSolvedWithinMinutes: 0 },
      });
    }
  });

  it('a session only ever sees its own user’s conversations', async () => {
    const a = await loginAs(uniqueExternalId('idor-a'));
    const b = await loginAs(uniqueExternalId('idor-b'));
    const bMessage = (await send(b.sessionToken, 'private to b')).json();
    const intoB = await send(a.sessionToken, 'sneaky', { conversationId: bMessage.conversationId });
    expect(intoB.statusCode).toBe(404);
    const readB = await server.request('POST', '/v1/client/read', {
      token: a.sessionToken,
      body: { conversationId: bMessage.conversationId, messageId: bMessage.id },
    });
    expect(readB.statusCode).toBe(404);
    const agentApi = await server.request('GET', `/v1/conversations/${bMessage.conversationId}`, {
      token: a.sessionToken,
    });
    expect(agentApi.statusCode).toBe(401);
    expect(JSON.stringify((await history(a.sessionToken)).data)).not.toContain('private to b');
    const socket = await clientSocket(a.sessionToken);
    socket.send({ type: 'typing', conversationId: bMessage.conversationId });
    await socket.waitFor((f) => f.type === 'error' && f.code === 'not_found');
  });

  it('closes sockets with a bad or foreign token with 4401, and a silent one with 4408', async () => {
    for (const auth of [
      { sessionToken: 'sst_forged' },
      { sessionToken: server.agentToken },
      { apiToken: 'sgt_x' },
    ]) {
      const socket = await TestSocket.open(`${urls.ws}/v1/client/ws`);
      socket.send({ type: 'auth', ...auth });
      expect((await socket.closed).code).toBe(4401);
    }
    const session = await anonymousSession(server);
    const agentWithSession = await TestSocket.open(`${urls.ws}/v1/ws`);
    agentWithSession.send({ type: 'auth', apiToken: session.sessionToken });
    expect((await agentWithSession.closed).code).toBe(4401);
    const notAuth = await TestSocket.open(`${urls.ws}/v1/client/ws`);
    notAuth.send({ type: 'message.send', text: 'x', clientMessageId: 'y' });
    expect((await notAuth.closed).code).toBe(4401);
  });

  it('accepts the session token in Sec-WebSocket-Protocol', async () => {
    const session = await anonymousSession(server);
    const socket = await TestSocket.open(`${urls.ws}/v1/client/ws`, {
      protocols: ['signet', session.sessionToken],
    });
    sockets.push(socket);
    await socket.waitFor((f) => f.type === 'ready');
  });

  it('answers a bad frame with an error and keeps the socket', async () => {
    const session = await anonymousSession(server);
    const socket = await clientSocket(session.sessionToken);
    for (const bad of [
      'not json',
      '{"type":"nope"}',
      '{"type":"message.send","text":""}',
      '[]',
      '{"type":"auth","sessionToken":"x"}',
    ]) {
      socket.send(bad);
    }
    await socket.waitUntil(() => socket.of('error').length === 5);
    socket.send({ type: 'message.send', text: 'fine', clientMessageId: 'ok-1' });
    await socket.waitFor((f) => f.type === 'message.ack');
  });

  it('enforces limits: message length, frame size, messages per second, sockets per user', async () => {
    const session = await anonymousSession(server);
    const tooLong = await send(session.sessionToken, 'x'.repeat(4097));
    expect(tooLong.statusCode).toBe(400);
    const emoji = await send(session.sessionToken, '😀'.repeat(4096)); // 4096 code points, 8192 UTF-16 units
    expect(emoji.statusCode, emoji.body).toBe(201);

    // The rate, on a server of its own at 1 message a second after the burst of 30, so
    // that how fast this machine stores messages cannot refill the bucket in time.
    const slow = await startTestServer(kind, { MESSAGE_RATE_PER_SECOND: '1' });
    try {
      const device = await anonymousSession(slow);
      const slowSocket = await TestSocket.ready(`${(await slow.listen()).ws}/v1/client/ws`, {
        sessionToken: device.sessionToken,
      });
      for (let i = 0; i < 60; i++)
        slowSocket.send({ type: 'message.send', text: `burst ${i}`, clientMessageId: `burst-${i}` });
      const refused = await slowSocket.waitFor((f) => f.type === 'error' && f.code === 'rate_limited');
      expect(refused.clientMessageId).toMatch(/^burst-/);
      slowSocket.terminate();
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          slow.request('POST', '/v1/client/messages', {
            token: device.sessionToken,
            body: { text: `more ${i}`, clientMessageId: `more-${i}` },
          }),
        ),
      );
      const more = answers.find((a) => a.statusCode !== 201)!;
      expect(more.statusCode).toBe(429);
      expect(more.json().error.code).toBe('rate_limited');
      expect(Number(more.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      await slow.close();
    }

    const socket = await clientSocket(session.sessionToken);

    socket.sendRaw('x'.repeat(65 * 1024));
    expect((await socket.closed).code).toBe(1009);

    const many = await Promise.all(Array.from({ length: 4 }, () => clientSocket(session.sessionToken)));
    const fifth = await TestSocket.open(`${urls.ws}/v1/client/ws`);
    fifth.send({ type: 'auth', sessionToken: session.sessionToken });
    expect((await fifth.closed).code).toBe(4429);
    for (const s of many) s.close();
  });

  it('counts unread messages for the user and the team, and sends read receipts both ways', async () => {
    const session = await loginAs(uniqueExternalId('unread'));
    const mine = (await send(session.sessionToken, 'help please')).json();
    const conversationId = mine.conversationId;
    const team = () =>
      server
        .request('GET', `/v1/conversations/${conversationId}`, { token: server.agentToken })
        .then((r) => r.json());
    expect((await team()).unreadCount).toBe(1);

    const socket = await clientSocket(session.sessionToken);
    const agent = await agentSocket();
    const replies: { id: string }[] = [];
    for (const text of ['one', 'two']) {
      replies.push(
        (
          await server.request('POST', `/v1/conversations/${conversationId}/messages`, {
            token: server.agentToken,
            body: { text },
          })
        ).json(),
      );
    }
    expect((await team()).unreadCount).toBe(0); // replying reads the thread
    let view = await history(session.sessionToken);
    expect([view.unreadCount, view.data[0].unreadCount]).toEqual([2, 2]);

    socket.send({ type: 'read', conversationId, messageId: replies[0]!.id });
    await agent.waitFor((f) => f.type === 'read' && f.messageId === replies[0]!.id);
    view = await history(session.sessionToken);
    expect(view.unreadCount).toBe(1);
    await socket.waitFor((f) => f.type === 'read' && (f.by as { type: string }).type === 'user');

    const read = await server.request('POST', '/v1/client/read', {
      token: session.sessionToken,
      body: { conversationId, messageId: replies[1]!.id },
    });
    expect(read.statusCode).toBe(204);
    expect((await history(session.sessionToken)).unreadCount).toBe(0);
    // A marker never moves back.
    await server.request('POST', '/v1/client/read', {
      token: session.sessionToken,
      body: { conversationId, messageId: replies[0]!.id },
    });
    expect((await history(session.sessionToken)).unreadCount).toBe(0);
  });

  it('lists the inbox by assignee and finds conversations by name, email or external id, with cursors', async () => {
    const externalId = uniqueExternalId('findme');
    const session = await loginAs(externalId, undefined, {
      name: 'Zelda Searchable',
      email: `${externalId}@find.example`,
      email_verified: true,
    });
    const { conversationId } = (await send(session.sessionToken, 'find me')).json();
    const list = async (query: string) =>
      (await server.request('GET', `/v1/conversations?${query}`, { token: server.agentToken })).json();
    for (const q of ['zelda', 'SEARCHABLE', `${externalId}@find`, externalId]) {
      const found = await list(`q=${encodeURIComponent(q)}`);
      expect(
        found.data.map((c: { id: string }) => c.id),
        q,
      ).toEqual([conversationId]);
    }
    expect((await list('q=nobody-has-this-name')).data).toEqual([]);
    expect((await list('assigneeId=none&limit=200')).data.map((c: { id: string }) => c.id)).toContain(
      conversationId,
    );
    const notAnId = await server.request('PATCH', `/v1/conversations/${conversationId}`, {
      token: server.agentToken,
      body: { assigneeId: 'someone' },
    });
    expect(notAnId.statusCode).toBe(400);
    const me = (await server.request('GET', '/v1/agent/me', { token: server.agentToken })).json().agent.id;
    await server.request('PATCH', `/v1/conversations/${conversationId}`, {
      token: server.agentToken,
      body: { assigneeId: me },
    });
    expect((await list('assigneeId=me')).data.map((c: { id: string }) => c.id)).toEqual([conversationId]);
    expect((await list('assigneeId=none&limit=200')).data.map((c: { id: string }) => c.id)).not.toContain(
      conversationId,
    );

    for (const other of ['page-a', 'page-b']) {
      await send((await loginAs(uniqueExternalId(other))).sessionToken, 'for paging');
    }
    const first = await list('limit=2');
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list(`limit=2&before=${first.nextCursor}`);
    const ids = (page: { data: { id: string }[] }) => page.data.map((c) => c.id);
    expect(ids(second)).toHaveLength(2);
    for (const id of ids(second)) expect(ids(first)).not.toContain(id);
    expect(
      (await server.request('GET', '/v1/conversations?before=garbage', { token: server.agentToken }))
        .statusCode,
    ).toBe(400);
  });

  it('relays typing: the user’s to agents, an agent’s to the user’s devices; never stored', async () => {
    const session = await loginAs(uniqueExternalId('typing'));
    const { conversationId } = (await send(session.sessionToken, 'hi')).json();
    const device = await clientSocket(session.sessionToken);
    const agent = await agentSocket();
    device.send({ type: 'typing', conversationId });
    const typing = await agent.waitFor((f) => f.type === 'typing');
    expect(typing).toMatchObject({ conversationId, author: { type: 'user', id: session.user.id } });
    expect(typing.cursor).toBeUndefined();
    agent.send({ type: 'typing', conversationId });
    await device.waitFor((f) => f.type === 'typing' && (f.author as { type: string }).type === 'agent');
  });

  it('a deleted key ends its sessions: the socket hears key_deleted and closes, HTTP answers session_ended', async () => {
    const doomed = await server.createKey('doomed');
    const session = (
      await login(server, await signUserToken(doomed, { external_id: uniqueExternalId('doomed') }))
    ).json();
    const socket = await clientSocket(session.sessionToken);
    await server.request('DELETE', `/v1/signing-keys/${doomed.kid}`, { token: server.adminToken });
    const frame = await socket.waitFor((f) => f.type === 'session.ended');
    expect(frame.reason).toBe('key_deleted');
    expect((await socket.closed).code).toBe(4000);
    const send = await server.request('POST', '/v1/client/messages', {
      token: session.sessionToken,
      body: { text: 'after deletion', clientMessageId: 'after-del' },
    });
    expect(send.statusCode).toBe(401);
    expect(send.json().error.code).toBe('session_ended');
  });

  it('ahead of the end the socket is asked for a fresh token; at the end the session is over', async () => {
    const realNow = server.runtime.now;
    const exp = Math.floor(Date.now() / 1000) + 2;
    const session = await loginAs(uniqueExternalId('expiring'), undefined, { exp });
    // The session ends at exp + 60 s of leeway; move the clock to 4 s before that.
    const skew = (exp + 60) * 1000 - 4000 - Date.now();
    server.runtime.now = () => Date.now() + skew;
    try {
      const socket = await clientSocket(session.sessionToken);
      const ask = await socket.waitFor((f) => f.type === 'session.reauth_required', 6000);
      expect(ask.reason).toBe('token_expired');
      const ended = await socket.waitFor((f) => f.type === 'session.ended', 6000);
      expect(ended.reason).toBe('expired');
      const state = await server.request('GET', '/v1/client/session', { token: session.sessionToken });
      expect(state.statusCode).toBe(401);
      expect(state.json().error.code).toBe('session_expired');
    } finally {
      server.runtime.now = realNow;
    }
  });
});
