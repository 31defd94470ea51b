import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login, seedHistory } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';
import { TestSocket } from './ws-client.ts';

/** IDENTITY.md §7: a device never holds more than it proved. Each attack, refused. */
describe.each(DATABASES)('client sessions on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  let urls: { http: string; ws: string };
  const sockets: TestSocket[] = [];
  const admin = () => ({ token: server.adminToken });
  const DAY = 86_400_000;

  const loginAs = async (claims: Record<string, unknown>, sessionToken?: string) => {
    const response = await login(server, await signUserToken(key, claims), sessionToken);
    expect(response.statusCode).toBe(200);
    return response.json();
  };
  const sessionState = (token: string) => server.request('GET', '/v1/client/session', { token });
  const historyTexts = async (token: string): Promise<string[]> => {
    const response = await server.request('GET', '/v1/client/conversations', { token });
    expect(response.statusCode).toBe(200);
    return response
      .json()
      .data.flatMap((c: { messages: { text: string }[] }) => c.messages.map((m) => m.text));
  };
  const clientSocket = async (sessionToken: string) => {
    const socket = await TestSocket.ready(`${urls.ws}/v1/client/ws`, { sessionToken });
    sockets.push(socket);
    return socket;
  };
  /** Runs `body` with the server's clock moved forward by `ms`. */
  const later = async <T>(ms: number, body: () => Promise<T>): Promise<T> => {
    const realNow = server.runtime.now;
    server.runtime.now = () => Date.now() + ms;
    try {
      return await body();
    } finally {
      server.runtime.now = realNow;
    }
  };

  beforeAll(async () => {
    server = await startTestServer(kind, { MESSAGE_RATE_PER_SECOND: '1000' });
    key = await server.createKey();
    urls = await server.listen();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await server.close();
  });

  it('the manual-merge takeover: a visitor who typed the victim’s email and was merged into them keeps nothing', async () => {
    const email = `${uniqueExternalId('victim')}@example.com`;
    const victim = await loginAs({ external_id: uniqueExternalId('victim'), email, email_verified: true });
    await seedHistory(server, victim.sessionToken, 'the victim’s private order');

    const visitor = await anonymousSession(server);
    await seedHistory(server, visitor.sessionToken, 'hello from the visitor');
    const typed = await server.request('PATCH', '/v1/client/profile', {
      token: visitor.sessionToken,
      body: { email },
    });
    expect(typed.statusCode).toBe(200);
    const socket = await clientSocket(visitor.sessionToken);

    // The agent follows the possible match and merges.
    const merged = await server.request('POST', `/v1/users/${visitor.userId}/merge`, {
      ...admin(),
      body: { intoUserId: victim.user.id },
    });
    expect(merged.statusCode).toBe(200);

    const ended = await socket.waitFor((f) => f.type === 'session.ended');
    expect(ended.reason).toBe('merged');
    // Reconnecting with it is refused with the same code HTTP answers.
    const again = await TestSocket.open(`${urls.ws}/v1/client/ws`);
    again.send({ type: 'auth', sessionToken: visitor.sessionToken });
    expect((await again.waitFor((f) => f.type === 'error')).code).toBe('session_ended');
    expect((await again.closed).code).toBe(4401);
    for (const attempt of [
      sessionState(visitor.sessionToken),
      server.request('GET', '/v1/client/conversations', { token: visitor.sessionToken }),
      server.request('POST', '/v1/client/messages', {
        token: visitor.sessionToken,
        body: { text: 'now I am you', clientMessageId: 'takeover' },
      }),
    ]) {
      const response = await attempt;
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toMatchObject({ code: 'session_ended', reason: 'merged' });
    }
    // The victim's own device is untouched and sees both histories.
    expect(await historyTexts(victim.sessionToken)).toEqual(
      expect.arrayContaining(['the victim’s private order', 'hello from the visitor']),
    );
  });

  it('a merge keeps a session proved for an external id the survivor now holds', async () => {
    const externalId = uniqueExternalId('proved');
    const carrier = await loginAs({ external_id: externalId });
    const emailOnly = (
      await server.request('POST', '/v1/users', {
        ...admin(),
        body: { email: `${uniqueExternalId('eo')}@example.com`, name: 'Email only' },
      })
    ).json();
    const merged = await server.request('POST', `/v1/users/${carrier.user.id}/merge`, {
      ...admin(),
      body: { intoUserId: emailOnly.id },
    });
    expect(merged.json()).toMatchObject({ id: emailOnly.id, externalId });
    const state = await sessionState(carrier.sessionToken);
    expect(state.statusCode).toBe(200);
    expect(state.json()).toMatchObject({ authenticated: true, user: { id: emailOnly.id } });
    // Its writes land on the survivor, never on the tombstone.
    const sent = await server.request('POST', '/v1/client/messages', {
      token: carrier.sessionToken,
      body: { text: 'after the merge', clientMessageId: 'after-merge' },
    });
    expect(sent.statusCode).toBe(201);
    const conversation = (
      await server.request('GET', `/v1/conversations/${sent.json().conversationId}`, admin())
    ).json();
    expect(conversation.userId).toBe(emailOnly.id);
  });

  it('a session token is worth one token lifetime: after exp + 60 s it is session_expired', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const session = await loginAs({ external_id: uniqueExternalId('exp'), exp });
    await later(exp * 1000 + 59_000 - Date.now(), async () => {
      expect((await sessionState(session.sessionToken)).statusCode).toBe(200);
    });
    await later(exp * 1000 + 61_000 - Date.now(), async () => {
      const response = await sessionState(session.sessionToken);
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toMatchObject({ code: 'session_expired', reason: 'expired' });
      const send = await server.request('POST', '/v1/client/messages', {
        token: session.sessionToken,
        body: { text: 'too late', clientMessageId: 'late' },
      });
      expect(send.json().error.code).toBe('session_expired');
    });
  });

  it('a token without exp opens a session of authenticatedSessionHours', async () => {
    const patched = await server.request('PATCH', '/v1/settings', {
      ...admin(),
      body: { authenticatedSessionHours: 2 },
    });
    expect(patched.json().authenticatedSessionHours).toBe(2);
    try {
      const session = await loginAs({ external_id: uniqueExternalId('noexp') });
      await later(2 * 3_600_000 - 5_000, async () => {
        expect((await sessionState(session.sessionToken)).statusCode).toBe(200);
      });
      await later(2 * 3_600_000 + 1_000, async () => {
        expect((await sessionState(session.sessionToken)).json().error.code).toBe('session_expired');
      });
    } finally {
      await server.request('PATCH', '/v1/settings', { ...admin(), body: { authenticatedSessionHours: 24 } });
    }
  });

  it('an anonymous session ends after anonymousSessionDays unused; use moves the deadline on', async () => {
    const quiet = await anonymousSession(server);
    const busy = await anonymousSession(server);
    await seedHistory(server, busy.sessionToken, 'still here');
    await later(20 * DAY, async () => {
      expect((await sessionState(busy.sessionToken)).statusCode).toBe(200);
    });
    await later(31 * DAY, async () => {
      expect((await sessionState(quiet.sessionToken)).json().error.code).toBe('session_expired');
      // Used on day 20, so it lives until day 50.
      expect((await sessionState(busy.sessionToken)).statusCode).toBe(200);
    });
    // The user and its history stay for the agents.
    const conversations = await server.request('GET', `/v1/conversations?userId=${busy.userId}`, admin());
    expect(conversations.json().data).toHaveLength(1);
  });

  it('logout ends the session: session_ended with reason logout', async () => {
    const session = await loginAs({ external_id: uniqueExternalId('logout') });
    expect(
      (await server.request('POST', '/v1/client/logout', { token: session.sessionToken, body: {} }))
        .statusCode,
    ).toBe(204);
    expect((await sessionState(session.sessionToken)).json().error).toMatchObject({
      code: 'session_ended',
      reason: 'logout',
    });
  });

  it('a login replaces the device’s session: the old token is session_ended (replaced)', async () => {
    const device = await anonymousSession(server);
    const session = await loginAs({ external_id: uniqueExternalId('replace') }, device.sessionToken);
    expect((await sessionState(device.sessionToken)).json().error.reason).toBe('replaced');
    expect((await sessionState(session.sessionToken)).statusCode).toBe(200);
  });

  it('messages sent while a login merges the device’s anonymous user all land on the live user', async () => {
    const device = await anonymousSession(server);
    await seedHistory(server, device.sessionToken, 'first');
    const externalId = uniqueExternalId('race');
    const sends = Array.from({ length: 12 }, (_, i) =>
      server.request('POST', '/v1/client/messages', {
        token: device.sessionToken,
        body: { text: `during login ${i}`, clientMessageId: `race-${i}` },
      }),
    );
    const [session, ...answers] = await Promise.all([
      loginAs({ external_id: externalId }, device.sessionToken),
      ...sends,
    ]);
    const acknowledged = answers.filter((a) => a.statusCode === 201).map((a) => a.json().text as string);
    for (const refused of answers.filter((a) => a.statusCode !== 201)) {
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('session_ended');
    }
    // Every acknowledged message is readable by the user the device now is.
    const texts = await historyTexts(session.sessionToken);
    expect(texts).toEqual(expect.arrayContaining(['first', ...acknowledged]));
    const users = (await server.request('GET', `/v1/users?externalId=${externalId}`, admin())).json().data;
    expect(users).toHaveLength(1);
  });

  it('a device whose anonymous user was given an external id logs in as someone else without a 500', async () => {
    const device = await anonymousSession(server);
    await seedHistory(server, device.sessionToken, 'mine');
    const patched = await server.request('PATCH', `/v1/users/${device.userId}`, {
      ...admin(),
      body: { externalId: uniqueExternalId('given') },
    });
    expect(patched.statusCode).toBe(200);
    // No longer anonymous (IDENTITY.md §3.4): it is listed, and a login does not swallow it.
    const listed = (await server.request('GET', '/v1/users?limit=200', admin())).json().data;
    expect(listed.map((u: { id: string }) => u.id)).toContain(device.userId);
    const externalId = uniqueExternalId('other');
    const session = await loginAs({ external_id: externalId }, device.sessionToken);
    expect(session.mergedAnonymous).toBe(false);
    expect(session.user.id).not.toBe(device.userId);
    const events = (await server.request('GET', `/v1/auth-events?externalId=${externalId}`, admin())).json()
      .data;
    expect(events).toHaveLength(1);
    expect(events[0].outcome).toBe('ok');
  });
});
