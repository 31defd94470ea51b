import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login, seedHistory } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';

/** A user as the database holds it, row for row (times of change aside). */
type Snapshot = {
  user: Record<string, unknown>;
  identities: unknown[];
  conversations: unknown[];
  messages: unknown[];
};

/** Undo a merge: both users come back as they were, plus what happened since on the survivor. */
describe.each(DATABASES)('undoing a merge on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  const admin = () => ({ token: server.adminToken });
  const loginAs = async (claims: Record<string, unknown>, sessionToken?: string) => {
    const response = await login(server, await signUserToken(key, claims), sessionToken);
    expect(response.statusCode).toBe(200);
    return response.json();
  };
  const snapshot = async (userId: string): Promise<Snapshot> => {
    const db = server.runtime.storage.db;
    const q = async (query: ReturnType<typeof sql>) => (await query.execute(db)).rows;
    const [user] = await q(
      sql`select id, name, tags, authenticated, last_authenticated_at, merged_into, erased_at from users where id = ${userId}`,
    );
    return {
      user: user as Record<string, unknown>,
      identities: await q(
        sql`select id, type, value, normalized, verified, is_primary, source from identities where user_id = ${userId} order by id`,
      ),
      conversations: await q(sql`select id from conversations where user_id = ${userId} order by id`),
      messages: await q(
        sql`select id, conversation_id, author_type, author_id, text from messages where user_id = ${userId} order by id`,
      ),
    };
  };
  const unmerge = (survivorId: string, mergedUserId: string, dryRun?: boolean) =>
    server.request('POST', `/v1/users/${survivorId}/unmerge`, {
      ...admin(),
      body: { mergedUserId, ...(dryRun ? { dryRun } : {}) },
    });

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
  });
  afterAll(() => server.close());

  /**
   * Runs one way of merging between `before` snapshots and an unmerge, with a message on
   * the survivor in between, and checks both users afterwards.
   */
  const roundTrip = async (setup: {
    merged: string;
    survivor: string;
    survivorToken: string;
    merge: () => Promise<void>;
  }) => {
    const before = { merged: await snapshot(setup.merged), survivor: await snapshot(setup.survivor) };
    await setup.merge();
    expect((await snapshot(setup.merged)).user.merged_into).toBe(setup.survivor);
    // Something happens on the survivor after the merge, in a conversation of its own.
    const own = before.survivor.conversations[0] as { id: string } | undefined;
    const later = await server.request('POST', '/v1/client/messages', {
      token: setup.survivorToken,
      body: {
        text: 'after the merge',
        clientMessageId: uniqueExternalId('later'),
        ...(own ? { conversationId: own.id } : {}),
      },
    });
    expect(later.statusCode).toBe(201);

    const preview = await unmerge(setup.survivor, setup.merged, true);
    expect(preview.statusCode).toBe(200);
    expect((await snapshot(setup.merged)).user.merged_into).toBe(setup.survivor); // a dry run changes nothing

    const undone = await unmerge(setup.survivor, setup.merged);
    expect(undone.statusCode).toBe(200);
    expect(undone.json().movedBack).toEqual(preview.json().movedBack);

    const after = { merged: await snapshot(setup.merged), survivor: await snapshot(setup.survivor) };
    expect(after.merged).toEqual(before.merged);
    expect(after.survivor.identities).toEqual(before.survivor.identities);
    expect(after.survivor.conversations).toEqual(
      own ? before.survivor.conversations : [{ id: later.json().conversationId }],
    );
    expect(after.survivor.messages).toEqual([
      ...before.survivor.messages,
      expect.objectContaining({ id: later.json().id, text: 'after the merge' }),
    ]);
    // Nothing of the merged user's history stays readable from the survivor's device.
    const history = (
      await server.request('GET', '/v1/client/conversations', { token: setup.survivorToken })
    ).json();
    const texts = history.data.flatMap((c: { messages: { text: string }[] }) =>
      c.messages.map((m) => m.text),
    );
    for (const message of before.merged.messages as { text: string }[])
      expect(texts).not.toContain(message.text);
    return undone.json();
  };

  it('by hand: a visitor merged into a customer comes back with its history and form email; its session stays ended', async () => {
    const customer = await loginAs({ external_id: uniqueExternalId('customer'), name: 'Customer' });
    await seedHistory(server, customer.sessionToken, 'customer’s own question');
    const visitor = await anonymousSession(server);
    await seedHistory(server, visitor.sessionToken, 'visitor’s question');
    await server.request('PATCH', '/v1/client/profile', {
      token: visitor.sessionToken,
      body: { name: 'Visitor', email: `${uniqueExternalId('typed')}@example.com` },
    });
    const result = await roundTrip({
      merged: visitor.userId,
      survivor: customer.user.id,
      survivorToken: customer.sessionToken,
      merge: async () => {
        const merged = await server.request('POST', `/v1/users/${visitor.userId}/merge`, {
          ...admin(),
          body: { intoUserId: customer.user.id },
        });
        expect(merged.statusCode).toBe(200);
      },
    });
    expect(result.movedBack).toMatchObject({ conversations: 1, messages: 1 });
    const state = await server.request('GET', '/v1/client/session', { token: visitor.sessionToken });
    expect(state.json().error.reason).toBe('merged');
  });

  it('§3.2: an email-only user absorbed by a login comes back holding its verified email', async () => {
    const externalId = uniqueExternalId('e32');
    const first = await loginAs({ external_id: externalId });
    const email = `${uniqueExternalId('e32')}@example.com`;
    const emailOnly = (
      await server.request('POST', '/v1/users', {
        ...admin(),
        body: { email, name: 'From the email channel' },
      })
    ).json();
    await roundTrip({
      merged: emailOnly.id,
      survivor: first.user.id,
      survivorToken: first.sessionToken,
      merge: async () => {
        const again = await loginAs({ external_id: externalId, email, email_verified: true });
        expect(again.resolution).toBe('merged_email_user');
      },
    });
    const restored = (await server.request('GET', `/v1/users?email=${email}`, admin())).json().data;
    expect(restored.map((u: { id: string }) => u.id)).toEqual([emailOnly.id]);
  });

  it('§3.4: an anonymous history joined at login goes back to the anonymous user', async () => {
    const externalId = uniqueExternalId('e34');
    const known = await loginAs({ external_id: externalId });
    await seedHistory(server, known.sessionToken, 'known user’s question');
    const device = await anonymousSession(server);
    await seedHistory(server, device.sessionToken, 'asked before logging in');
    let survivorToken = known.sessionToken;
    await roundTrip({
      merged: device.userId,
      survivor: known.user.id,
      survivorToken: known.sessionToken,
      merge: async () => {
        const joined = await loginAs({ external_id: externalId }, device.sessionToken);
        expect(joined.mergedAnonymous).toBe(true);
        survivorToken = joined.sessionToken;
      },
    });
    expect((await server.request('GET', '/v1/client/session', { token: survivorToken })).statusCode).toBe(
      200,
    );
  });

  it('refuses with 409 when an identity it brought has since gone to a third user', async () => {
    const externalId = uniqueExternalId('blocked');
    const carrier = await loginAs({ external_id: externalId });
    const target = (
      await server.request('POST', '/v1/users', {
        ...admin(),
        body: { email: `${uniqueExternalId('t')}@example.com` },
      })
    ).json();
    await server.request('POST', `/v1/users/${carrier.user.id}/merge`, {
      ...admin(),
      body: { intoUserId: target.id },
    });
    await server.request('PATCH', `/v1/users/${target.id}`, {
      ...admin(),
      body: { externalId: uniqueExternalId('moved') },
    });
    const third = await server.request('POST', '/v1/users', { ...admin(), body: { externalId } });
    expect(third.statusCode).toBe(201);
    const refused = await unmerge(target.id, carrier.user.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'unmerge_blocked' });
    expect(refused.json().error.message).toContain(externalId);
    expect((await snapshot(carrier.user.id)).user.merged_into).toBe(target.id);
  });

  it('refuses after 30 days, and answers 404 for a user that was never merged into this one', async () => {
    const survivor = await loginAs({ external_id: uniqueExternalId('old') });
    const visitor = await anonymousSession(server);
    await server.request('POST', `/v1/users/${visitor.userId}/merge`, {
      ...admin(),
      body: { intoUserId: survivor.user.id },
    });
    const realNow = server.runtime.now;
    server.runtime.now = () => Date.now() + 31 * 86_400_000;
    try {
      const late = await unmerge(survivor.user.id, visitor.userId);
      expect(late.statusCode).toBe(409);
      expect(late.json().error.message).toContain('30 days');
    } finally {
      server.runtime.now = realNow;
    }
    const stranger = await anonymousSession(server);
    expect((await unmerge(survivor.user.id, stranger.userId)).statusCode).toBe(404);
    expect((await unmerge(survivor.user.id, 'not-an-id')).statusCode).toBe(404);
  });

  it('is for admins only', async () => {
    const response = await server.request('POST', '/v1/users/00000000-0000-7000-8000-000000000000/unmerge', {
      token: server.agentToken,
      body: { mergedUserId: '00000000-0000-7000-8000-000000000001' },
    });
    expect(response.statusCode).toBe(403);
  });
});
