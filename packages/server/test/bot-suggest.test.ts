import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWERED_QUESTION } from '../src/bot/suggest-articles.ts';
import { anonymousSession, login } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';
import { createArticle, createCollection, useSuggestingBot } from './help-factories.ts';

type Msg = { text: string; author: { type: string } };

/** HELP.md "Bot": suggest_articles offers readable articles that match the first message. */
describe.each(DATABASES)('the bot suggests articles on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  let publicId: string;
  let proId: string;
  const send = (token: string, text: string) =>
    server.request('POST', '/v1/client/messages', {
      token,
      body: { text, clientMessageId: `s-${Math.random()}` },
    });
  const conversation = async (token: string) =>
    (await server.request('GET', '/v1/client/conversations', { token })).json().data[0] as {
      id: string;
      status: string;
      messages: Msg[];
    };
  const botSaid = async (token: string) =>
    (await conversation(token)).messages.filter((m) => m.author.type === 'bot').map((m) => m.text);

  beforeAll(async () => {
    server = await startTestServer(kind, { MESSAGE_RATE_PER_SECOND: '100' }, { bot: true });
    key = await server.createKey();
    await useSuggestingBot(server, 3);
    const collectionId = await createCollection(server, 'Shipping');
    publicId = await createArticle(server, {
      collectionId,
      title: 'Shipping times',
      body: 'Parcels leave within a day.',
    });
    proId = await createArticle(server, {
      collectionId,
      title: 'Express shipping for Pro',
      body: 'Pro members ship express for free.',
      audience: { type: 'segment', tagsAll: ['plan:pro'] },
    });
    await createArticle(server, { collectionId, title: 'Shipping draft', body: 'x', status: 'draft' });
  });
  afterAll(() => server.close());

  it('offers only what the customer may read; yes solves the conversation', async () => {
    const visitor = await anonymousSession(server);
    await send(visitor.sessionToken, 'How long does shipping take to Oslo?');
    const [offer] = await botSaid(visitor.sessionToken);
    expect(offer).toContain(`Shipping times — /help/articles/${publicId}`);
    expect(offer).not.toContain(proId);
    expect(offer).not.toContain('Shipping draft');
    expect(offer).toContain(ANSWERED_QUESTION);
    await send(visitor.sessionToken, 'Yes, thanks!');
    const after = await conversation(visitor.sessionToken);
    expect(after.status).toBe('solved');
    expect((await botSaid(visitor.sessionToken)).at(-1)).toBe('Glad that helped! Write to us any time.');
  });

  it('a signed-in customer with the tag is offered the segment article; no goes on with the flow', async () => {
    const session = (
      await login(server, await signUserToken(key, { external_id: uniqueExternalId(), tags: ['plan:pro'] }))
    ).json();
    await send(session.sessionToken, 'express shipping please');
    const [offer] = await botSaid(session.sessionToken);
    expect(offer).toContain(proId);
    await send(session.sessionToken, 'no, it is about something else');
    expect((await botSaid(session.sessionToken)).at(-1)).toBe(
      'Someone from the team will be with you shortly.',
    );
    expect((await conversation(session.sessionToken)).status).toBe('open');
  });

  it('says nothing about articles when none match, and goes on', async () => {
    const visitor = await anonymousSession(server);
    await send(visitor.sessionToken, 'My invoice is wrong');
    expect(await botSaid(visitor.sessionToken)).toEqual(['Someone from the team will be with you shortly.']);
  });

  it('refuses an invalid limit', async () => {
    const refused = await server.request('PATCH', '/v1/settings', {
      token: server.adminToken,
      body: { botFlow: { steps: [{ kind: 'suggest_articles', limit: 50 }] } },
    });
    expect(refused.statusCode).toBe(400);
  });
});
