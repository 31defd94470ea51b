import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login, seedHistory } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';

type Entry = { id: string; userId: string; kind: string; text: string; data: Record<string, unknown> };

/** The identity timeline: every decision about a user, journaled by the action that made it. */
describe.each(DATABASES)('the identity timeline on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  const admin = () => ({ token: server.adminToken });
  const timeline = async (userId: string): Promise<Entry[]> => {
    const response = await server.request('GET', `/v1/users/${userId}/timeline?limit=200`, admin());
    expect(response.statusCode).toBe(200);
    return response.json().data;
  };
  const kinds = async (userId: string) => (await timeline(userId)).map((e) => e.kind).reverse();
  const loginAs = async (claims: Record<string, unknown>, sessionToken?: string) => {
    const response = await login(server, await signUserToken(key, claims), sessionToken);
    expect(response.statusCode).toBe(200);
    return response.json();
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey('Web shop');
  });
  afterAll(() => server.close());

  it('a first login: created, external id and email attached, name set, tags set, login — in words', async () => {
    const externalId = uniqueExternalId('first');
    const email = `${externalId}@example.com`;
    const { user } = await loginAs({
      external_id: externalId,
      name: 'Ada',
      email,
      email_verified: true,
      tags: ['vip'],
    });
    expect(await kinds(user.id)).toEqual([
      'created',
      'identity_attached',
      'identity_attached',
      'name_changed',
      'tags_changed',
      'login',
    ]);
    const [loginEntry] = await timeline(user.id);
    expect(loginEntry!.text).toBe(
      `Logged in with key "Web shop"; a new user for external id ${externalId}; email ${email} attached, verified`,
    );
  });

  it('API creates, patches (name, external id, email) and verification are journaled with who did them', async () => {
    const created = (
      await server.request('POST', '/v1/users', {
        ...admin(),
        body: { name: 'Grace', email: `${uniqueExternalId('api')}@example.com`, emailVerified: false },
      })
    ).json();
    const first = uniqueExternalId('api');
    await server.request('PATCH', `/v1/users/${created.id}`, {
      ...admin(),
      body: { externalId: first, name: 'Grace H' },
    });
    const second = uniqueExternalId('api');
    await server.request('PATCH', `/v1/users/${created.id}`, { ...admin(), body: { externalId: second } });
    await server.request('PATCH', `/v1/users/${created.id}`, { ...admin(), body: { email: created.email } });
    const entries = await timeline(created.id);
    expect(entries.map((e) => e.kind).reverse()).toEqual([
      'created',
      'identity_attached',
      'name_changed',
      'identity_attached',
      'name_changed',
      'identity_detached',
      'identity_attached',
      'identity_verified',
    ]);
    expect(entries.at(-1)!.text).toBe('Created through the API (token "test admin")');
    expect(entries.find((e) => e.kind === 'identity_detached')!.text).toContain(
      `External id ${first} removed`,
    );
  });

  it('the messenger: an anonymous visitor, a form email and name, then a login that joins the history', async () => {
    const device = await anonymousSession(server);
    await seedHistory(server, device.sessionToken, 'hello');
    await server.request('PATCH', '/v1/client/profile', {
      token: device.sessionToken,
      body: { name: 'Typed', email: `${uniqueExternalId('form')}@example.com` },
    });
    const visitorKinds = await kinds(device.userId);
    expect(visitorKinds).toEqual(['created', 'identity_attached', 'name_changed']);
    const { user } = await loginAs({ external_id: uniqueExternalId('joined') }, device.sessionToken);
    const entries = await timeline(user.id);
    const mergedIn = entries.find((e) => e.kind === 'merged_in')!;
    expect(mergedIn.text).toContain('as the anonymous history of the device that logged in');
    expect(mergedIn.text).toContain('1 conversation(s), 1 message(s)');
    // The survivor's timeline holds the merged visitor's own history.
    expect(entries.filter((e) => e.userId === device.userId).map((e) => e.kind)).toEqual(
      expect.arrayContaining(['created', 'identity_attached', 'name_changed', 'merged_out']),
    );
    // A merged id answers with the survivor's timeline.
    expect((await timeline(device.userId)).map((e) => e.id)).toEqual(entries.map((e) => e.id));
  });

  it('a login whose email another directory user holds shows the conflict on both users', async () => {
    const email = `${uniqueExternalId('conflict')}@example.com`;
    const holder = (await loginAs({ external_id: uniqueExternalId('holder'), email, email_verified: true }))
      .user;
    const other = (await loginAs({ external_id: uniqueExternalId('other'), email, email_verified: true }))
      .user;
    for (const [userId, otherId] of [
      [other.id, holder.id],
      [holder.id, other.id],
    ]) {
      const conflict = (await timeline(userId!)).find((e) => e.kind === 'email_conflict');
      expect(conflict?.data).toMatchObject({ email, otherUserId: otherId });
      expect(conflict?.text).toContain('two directory users never merge');
    }
  });

  it('merges, unmerges and erasure are journaled; an erased user’s timeline says only that', async () => {
    const survivor = (await loginAs({ external_id: uniqueExternalId('s') })).user;
    const visitor = await anonymousSession(server);
    await server.request('POST', `/v1/users/${visitor.userId}/merge`, {
      ...admin(),
      body: { intoUserId: survivor.id },
    });
    const merged = (await timeline(survivor.id)).find((e) => e.kind === 'merged_in')!;
    expect(merged.text).toContain('by hand, through the API (token "test admin")');
    const undone = await server.request('POST', `/v1/users/${survivor.id}/unmerge`, {
      ...admin(),
      body: { mergedUserId: visitor.userId },
    });
    expect(undone.statusCode).toBe(200);
    expect((await kinds(survivor.id)).at(-1)).toBe('unmerged');
    expect((await kinds(visitor.userId)).at(-1)).toBe('unmerged');

    await server.request('DELETE', `/v1/users/${survivor.id}`, admin());
    const erased = await timeline(survivor.id);
    expect(erased.map((e) => e.kind)).toEqual(['erased']);
    const left = await sql`select data from identity_journal where user_id = ${survivor.id}`.execute(
      server.runtime.storage.db,
    );
    expect(JSON.stringify(left.rows)).not.toContain(survivor.externalId);
  });

  it('pages newest first with a cursor', async () => {
    const { user } = await loginAs({ external_id: uniqueExternalId('pages'), name: 'A', tags: ['x'] });
    const all = await timeline(user.id);
    const first = (await server.request('GET', `/v1/users/${user.id}/timeline?limit=2`, admin())).json();
    expect(first.data.map((e: Entry) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    const rest = (
      await server.request(
        'GET',
        `/v1/users/${user.id}/timeline?limit=200&before=${first.nextCursor}`,
        admin(),
      )
    ).json();
    expect([...first.data, ...rest.data].map((e: Entry) => e.id)).toEqual(all.map((e) => e.id));
    expect(rest.nextCursor).toBeNull();
  });
});
