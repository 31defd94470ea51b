import { createAdminClient, type SignetAdmin, SignetApiError, signUserToken } from '@signet/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedHistory } from '../../server/test/factories.ts';
import { DATABASES, startTestServer, type TestServer, uniqueExternalId } from '../../server/test/harness.ts';

/** The typed admin client over real HTTP (global fetch) against a real Signet. */
describe.each(DATABASES)('the admin client against Signet on %s', (kind) => {
  let server: TestServer;
  let admin: SignetAdmin;
  let key: { kid: string; secret: string };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: SignetApiError) => {
        expect(error).toBeInstanceOf(SignetApiError);
        return { status: error.status, code: error.code };
      },
    );
  /** A customer who logged in with a token and wrote once: a user with a conversation. */
  async function customerWithConversation(text: string) {
    const externalId = uniqueExternalId('admin');
    const jwt = await signUserToken(key, { external_id: externalId, name: 'Grace Hopper' });
    const login = await server.request('POST', '/v1/client/login', { body: { jwt } });
    const conversationId = await seedHistory(server, login.json().sessionToken, text);
    return { externalId, userId: login.json().user.id as string, conversationId };
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
    const { http } = await server.listen();
    admin = createAdminClient({ baseUrl: http, apiToken: server.adminToken });
  });
  afterAll(() => server.close());

  it('creates, finds, updates, merges and erases users', async () => {
    const externalId = uniqueExternalId('crud');
    const created = await admin.users.create({
      externalId,
      name: 'Ada',
      email: `${externalId}@shop.example`,
    });
    expect(created).toMatchObject({ externalId, name: 'Ada', authenticated: false });
    expect(await admin.users.get(created.id)).toEqual(created);
    expect((await admin.users.findByExternalId(externalId))?.id).toBe(created.id);
    expect(await admin.users.findByExternalId(uniqueExternalId('nobody'))).toBeNull();
    expect((await admin.users.list({ email: `${externalId}@shop.example` })).data.map((u) => u.id)).toEqual([
      created.id,
    ]);
    expect((await admin.users.update(created.id, { name: 'Ada L.' })).name).toBe('Ada L.');

    const upsert = await admin.users.createOrUpdate({ email: `${externalId}-2@shop.example`, name: 'One' });
    expect(upsert.created).toBe(true);
    const again = await admin.users.createOrUpdate({ email: `${externalId}-2@shop.example`, name: 'Two' });
    expect(again).toMatchObject({ created: false, user: { id: upsert.user.id, name: 'Two' } });

    const survivor = await admin.users.merge(upsert.user.id, created.id);
    expect(survivor.id).toBe(created.id);
    expect((await admin.users.get(upsert.user.id)).id).toBe(created.id);

    await admin.users.erase(created.id);
    expect(await refusal(admin.users.get(created.id))).toEqual({ status: 404, code: 'not_found' });
  });

  it('turns refusals into SignetApiError with the stable code', async () => {
    const externalId = uniqueExternalId('dup');
    await admin.users.create({ externalId });
    expect(await refusal(admin.users.create({ externalId }))).toEqual({
      status: 409,
      code: 'external_id_taken',
    });
    expect((await refusal(admin.users.update('no-such-user', { name: 'x' })))?.status).toBe(404);
    // An id is a path segment, never a way to reach another route.
    expect((await refusal(admin.users.get('../signing-keys')))?.status).toBe(404);
    const wrongToken = createAdminClient({ baseUrl: (await server.listen()).http, apiToken: 'nope' });
    expect(await refusal(wrongToken.users.get('x'))).toEqual({ status: 401, code: 'not_authenticated' });
  });

  it('lists, reads, answers and solves conversations', async () => {
    const { userId, conversationId } = await customerWithConversation('Where is my parcel?');
    const page = await admin.conversations.list({ userId });
    expect(page.data.map((c) => c.id)).toEqual([conversationId]);
    expect(await admin.conversations.get(conversationId)).toMatchObject({ id: conversationId, userId });

    const reply = await admin.messages.send(conversationId, { text: 'On its way!', clientMessageId: 'r1' });
    expect(reply.author.type).toBe('agent');
    const repeat = await admin.messages.send(conversationId, { text: 'On its way!', clientMessageId: 'r1' });
    expect(repeat.id).toBe(reply.id);
    const texts = (await admin.messages.list(conversationId)).data.map((m) => m.text);
    expect(texts).toEqual(expect.arrayContaining(['Where is my parcel?', 'On its way!']));

    expect((await admin.conversations.update(conversationId, { status: 'solved' })).status).toBe('solved');
    expect((await admin.conversations.list({ userId, status: 'open' })).data).toEqual([]);
  });

  it('inspects tokens: a good one names its user, a bad one the reason', async () => {
    const externalId = uniqueExternalId('inspect');
    const good = await admin.tokens.inspect(await signUserToken(key, { external_id: externalId }));
    expect(good).toMatchObject({ valid: true, reason: null, key: { kid: key.kid, state: 'live' } });
    const forged = await signUserToken(
      { kid: key.kid, secret: 'another-secret-entirely' },
      { external_id: 'x' },
    );
    expect(await admin.tokens.inspect(forged)).toMatchObject({ valid: false, reason: 'bad_signature' });
  });

  it('pages through every conversation and message with all()', async () => {
    const { userId, conversationId } = await customerWithConversation('first');
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      const sent = await admin.messages.send(conversationId, { text: `reply ${i}` });
      mine.push(sent.text);
    }
    const seen: string[] = [];
    for await (const message of admin.messages.all(conversationId, { limit: 2 })) seen.push(message.text);
    expect(seen.sort()).toEqual(['first', ...mine].sort());

    const ids = new Set<string>();
    for await (const conversation of admin.conversations.all({ limit: 1 })) ids.add(conversation.id);
    expect(ids.has(conversationId)).toBe(true);
    expect(ids.size).toBeGreaterThanOrEqual(2);
    expect((await admin.conversations.list({ userId })).data).toHaveLength(1);
  });
});
