import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';

type Msg = { text: string; author: { type: string; name: string | null } };

describe.each(DATABASES)('the bot on %s', (kind) => {
  const env = { SIGNET_MASTER_KEY: randomBytes(32).toString('hex'), MESSAGE_RATE_PER_SECOND: '100' };
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-bot-'));
  let server: TestServer;
  let key: { kid: string; secret: string };
  const send = (token: string, text: string) =>
    server.request('POST', '/v1/client/messages', {
      token,
      body: { text, clientMessageId: `b-${Math.random()}` },
    });
  const thread = async (token: string): Promise<Msg[]> =>
    (await server.request('GET', '/v1/client/conversations', { token }))
      .json()
      .data.reverse()
      .flatMap((c: { messages: Msg[] }) => c.messages);
  const botSaid = async (token: string) =>
    (await thread(token)).filter((m) => m.author.type === 'bot').map((m) => m.text);

  beforeAll(async () => {
    server = await startTestServer(kind, env, { dataDir, bot: true });
    key = await server.createKey();
  });
  afterAll(() => server.close());

  it('greets an anonymous visitor, asks for name and email, hands over; the email is unverified, from the form', async () => {
    const visitor = await anonymousSession(server);
    await send(visitor.sessionToken, 'Hello, is anyone there?');
    expect(await botSaid(visitor.sessionToken)).toEqual([
      'Hi there! How can we help?',
      'What name should we use for you?',
    ]);
    await send(visitor.sessionToken, 'Grace');
    await send(visitor.sessionToken, 'not an email');
    await send(visitor.sessionToken, 'grace@navy.example');
    const said = await botSaid(visitor.sessionToken);
    expect(said.slice(2)).toEqual([
      'What email address can we reach you at?',
      "That doesn't look like an email address. Could you check it?",
      'Thanks! Someone from the team will be with you shortly.',
    ]);
    const user = (
      await server.request('GET', `/v1/users/${visitor.userId}`, { token: server.adminToken })
    ).json();
    expect(user.name).toBe('Grace');
    expect(user.identities).toEqual([
      { type: 'email', value: 'grace@navy.example', verified: false, primary: true, source: 'form' },
    ]);
    // Handed over: the bot stays silent.
    await send(visitor.sessionToken, 'still there?');
    expect(await botSaid(visitor.sessionToken)).toHaveLength(5);
  });

  it('asks for a missing email twice at most, then moves on', async () => {
    const visitor = await anonymousSession(server);
    await send(visitor.sessionToken, 'hi');
    await send(visitor.sessionToken, 'Kim');
    await send(visitor.sessionToken, 'I would rather not say');
    await send(visitor.sessionToken, 'just help me please');
    expect((await botSaid(visitor.sessionToken)).slice(-2)).toEqual([
      "That doesn't look like an email address. Could you check it?",
      'Thanks! Someone from the team will be with you shortly.',
    ]);
  });

  it('greets an authenticated user by first name and asks nothing', async () => {
    const externalId = uniqueExternalId('known');
    const session = (
      await login(
        server,
        await signUserToken(key, {
          external_id: externalId,
          name: 'Ada Lovelace',
          email: `${externalId}@x.example`,
          email_verified: true,
        }),
      )
    ).json();
    await send(session.sessionToken, 'I need help with my order');
    expect(await botSaid(session.sessionToken)).toEqual([
      'Hi Ada! How can we help?',
      'Thanks! Someone from the team will be with you shortly.',
    ]);
  });

  it('continues from the same step after a server restart; a login mid-form skips the rest', async () => {
    const visitor = await anonymousSession(server);
    await send(visitor.sessionToken, 'hi');
    await send(visitor.sessionToken, 'Linus');
    expect((await botSaid(visitor.sessionToken)).at(-1)).toBe('What email address can we reach you at?');

    server = await server.restart();
    expect((await botSaid(visitor.sessionToken)).at(-1)).toBe('What email address can we reach you at?');

    const externalId = uniqueExternalId('midform');
    const session = (
      await login(
        server,
        await signUserToken(key, {
          external_id: externalId,
          email: `${externalId}@x.example`,
          email_verified: true,
        }),
        visitor.sessionToken,
      )
    ).json();
    const said = await botSaid(session.sessionToken);
    expect(said).toEqual([
      'Hi there! How can we help?',
      'What name should we use for you?',
      'What email address can we reach you at?',
      'Thanks! Someone from the team will be with you shortly.',
    ]);
  });

  it('a follow-up conversation starts the flow again, skipping what is known', async () => {
    const externalId = uniqueExternalId('again');
    const session = (
      await login(server, await signUserToken(key, { external_id: externalId, name: 'Bo Known' }))
    ).json();
    const first = (await send(session.sessionToken, 'first question')).json();
    await send(session.sessionToken, 'bo@x.example');
    await server.request('PATCH', `/v1/conversations/${first.conversationId}`, {
      token: server.agentToken,
      body: { status: 'solved' },
    });
    await send(session.sessionToken, 'a new question');
    const said = await botSaid(session.sessionToken);
    expect(said.filter((t) => t === 'Hi Bo! How can we help?')).toHaveLength(2);
    expect(said.filter((t) => t === 'What email address can we reach you at?')).toHaveLength(1);
  });

  it('IDENTITY.md §6, scenarios 3 then 4 through the bot: no takeover, the login joins the histories, one user', async () => {
    const externalId = uniqueExternalId('owner');
    const email = `${externalId}@x.example`;
    const owner = (
      await login(
        server,
        await signUserToken(key, {
          external_id: externalId,
          name: 'Olga Owner',
          email,
          email_verified: true,
        }),
      )
    ).json();
    await send(owner.sessionToken, 'owner asked before');

    const visitor = await anonymousSession(server);
    await send(visitor.sessionToken, 'hello from a visitor');
    await send(visitor.sessionToken, 'Olga');
    await send(visitor.sessionToken, email.toUpperCase());
    const ownerNow = (
      await server.request('GET', `/v1/users/${owner.user.id}`, { token: server.adminToken })
    ).json();
    expect(ownerNow.identities).toHaveLength(2);
    const matches = (
      await server.request('GET', `/v1/users/${visitor.userId}/possible-matches`, {
        token: server.agentToken,
      })
    ).json();
    expect(matches.data.map((u: { id: string }) => u.id)).toEqual([owner.user.id]);

    const joined = (
      await login(
        server,
        await signUserToken(key, { external_id: externalId, email, email_verified: true }),
        visitor.sessionToken,
      )
    ).json();
    expect(joined).toMatchObject({
      resolution: 'matched_external_id',
      mergedAnonymous: true,
      user: { id: owner.user.id },
    });
    const texts = (await thread(joined.sessionToken))
      .filter((m) => m.author.type === 'user')
      .map((m) => m.text);
    expect(texts).toEqual(expect.arrayContaining(['owner asked before', 'hello from a visitor']));
    const byEmail = (
      await server.request('GET', `/v1/users?email=${encodeURIComponent(email)}`, {
        token: server.adminToken,
      })
    ).json();
    expect(byEmail.data.map((u: { id: string }) => u.id)).toEqual([owner.user.id]);
  });

  it('refuses a flow with an unknown placeholder or an empty step, naming the step', async () => {
    const save = (steps: unknown[]) =>
      server.request('PATCH', '/v1/settings', { token: server.adminToken, body: { botFlow: { steps } } });
    const unknown = await save([
      { kind: 'message', text: 'Hi' },
      { kind: 'message', text: 'Hi {{user.nickname}}' },
    ]);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'invalid_flow', step: 1 });
    expect(unknown.json().error.message).toContain('{{user.nickname}}');
    const empty = await save([{ kind: 'message', text: '   ' }]);
    expect(empty.json().error).toMatchObject({ code: 'invalid_flow', step: 0 });
    const noFields = await save([
      { kind: 'message', text: 'ok' },
      { kind: 'handover' },
      { kind: 'ask_details', fields: [] },
    ]);
    expect(noFields.json().error).toMatchObject({ code: 'invalid_flow', step: 2 });
    const ported = await save([
      { kind: 'message', text: 'Hi {{requester.first_name | "friend"}}' },
      { kind: 'handover' },
    ]);
    expect(ported.statusCode).toBe(200);
    await server.request('PATCH', '/v1/settings', {
      token: server.adminToken,
      body: {
        botFlow: {
          steps: [
            { kind: 'message', text: 'Hi {{user.first_name | "there"}}! How can we help?' },
            { kind: 'ask_details', fields: ['name', 'email'] },
            { kind: 'handover', text: 'Thanks! Someone from the team will be with you shortly.' },
          ],
        },
      },
    });
  });

  it('offers choices, answers one and hands over on another', async () => {
    await server.request('PATCH', '/v1/settings', {
      token: server.adminToken,
      body: {
        botFlow: {
          steps: [
            {
              kind: 'choices',
              text: 'What is it about?',
              choices: [
                { label: 'Opening hours', reply: 'We are open 9 to 5.' },
                { label: 'Something else', handover: true },
              ],
            },
            { kind: 'handover', text: 'Passing you to the team.' },
          ],
        },
      },
    });
    await new Promise((r) => setTimeout(r, 1100)); // settings are cached for a second
    const visitor = await anonymousSession(server);
    await send(visitor.sessionToken, 'hi');
    await send(visitor.sessionToken, 'opening HOURS');
    expect(await botSaid(visitor.sessionToken)).toEqual([
      'What is it about?\n1. Opening hours\n2. Something else',
      'We are open 9 to 5.',
      'Passing you to the team.',
    ]);
  });
});
