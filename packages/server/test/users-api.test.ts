import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMessagesOfUser } from '../src/messaging/messages.repository.ts';
import { anonymousSession, login, seedHistory } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';

describe.each(DATABASES)('users API on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  const staff = () => ({ token: server.agentToken });
  const create = async (body: Record<string, unknown>) =>
    server.request('POST', '/v1/users', { ...staff(), body });

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
  });
  afterAll(() => server.close());

  it('creates a user that is not authenticated until its first JWT login (§4)', async () => {
    const externalId = uniqueExternalId('api');
    const created = await create({ externalId, name: 'Api Made', email: `${externalId}@x.example` });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ externalId, authenticated: false, lastAuthenticatedAt: null });
    expect(created.json().identities).toContainEqual({
      type: 'external_id',
      value: externalId,
      verified: true,
      primary: true,
      source: 'api',
    });
    expect(created.json().identities).toContainEqual({
      type: 'email',
      value: `${externalId}@x.example`,
      verified: true,
      primary: true,
      source: 'api',
    });

    const before = Date.now();
    await login(server, await signUserToken(key, { external_id: externalId }));
    const after = (await server.request('GET', `/v1/users/${created.json().id}`, staff())).json();
    expect(after.authenticated).toBe(true);
    expect(Date.parse(after.lastAuthenticatedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('an email given with emailVerified: false stays unverified', async () => {
    const email = `${uniqueExternalId('uv')}@x.example`;
    const user = (await create({ email, emailVerified: false })).json();
    expect(user.identities).toEqual([
      { type: 'email', value: email, verified: false, primary: true, source: 'api' },
    ]);
    // and another user may then take it verified
    expect((await create({ email })).statusCode).toBe(201);
  });

  it('refuses an external id or verified email another user holds (409)', async () => {
    const externalId = uniqueExternalId('dup');
    const email = `${externalId}@x.example`;
    await create({ externalId, email });
    const byId = await create({ externalId });
    expect(byId.statusCode).toBe(409);
    expect(byId.json().error.code).toBe('external_id_taken');
    const byEmail = await create({ email: email.toUpperCase() });
    expect(byEmail.statusCode).toBe(409);
    expect(byEmail.json().error.code).toBe('email_taken');
    const lookup = await server.request('GET', `/v1/users?email=${email}`, staff());
    expect(lookup.json().data).toHaveLength(1);
  });

  it('create_or_update creates (201) then updates (200) the same user', async () => {
    const externalId = uniqueExternalId('upsert');
    const first = await server.request('PUT', '/v1/users/create_or_update', {
      ...staff(),
      body: { externalId, name: 'One' },
    });
    expect(first.statusCode).toBe(201);
    const second = await server.request('PUT', '/v1/users/create_or_update', {
      ...staff(),
      body: { externalId, name: 'Two' },
    });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ id: first.json().id, name: 'Two' });
    const byEmail = await server.request('PUT', '/v1/users/create_or_update', {
      ...staff(),
      body: { email: `${externalId}@e.example` },
    });
    expect(byEmail.statusCode).toBe(201);
    const again = await server.request('PUT', '/v1/users/create_or_update', {
      ...staff(),
      body: { email: `${externalId}@E.example`, name: 'Mail' },
    });
    expect(again.json()).toMatchObject({ id: byEmail.json().id, name: 'Mail' });
    const neither = await server.request('PUT', '/v1/users/create_or_update', {
      ...staff(),
      body: { name: 'x' },
    });
    expect(neither.statusCode).toBe(400);
  });

  it('patches name, email and external id', async () => {
    const user = (await create({ name: 'Before' })).json();
    const externalId = uniqueExternalId('patched');
    const patched = await server.request('PATCH', `/v1/users/${user.id}`, {
      ...staff(),
      body: { name: 'After', externalId, email: `${externalId}@x.example` },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'After', externalId, email: `${externalId}@x.example` });
    const cleared = await server.request('PATCH', `/v1/users/${user.id}`, {
      ...staff(),
      body: { name: null },
    });
    expect(cleared.json().name).toBeNull();
    const taken = (await create({ externalId: uniqueExternalId('t') })).json();
    const conflict = await server.request('PATCH', `/v1/users/${user.id}`, {
      ...staff(),
      body: { externalId: taken.externalId },
    });
    expect(conflict.statusCode).toBe(409);
  });

  it('merges by hand: one user remains with both histories; the merged id answers with the survivor', async () => {
    const visitor = await anonymousSession(server);
    await seedHistory(server, visitor.sessionToken, 'anonymous question');
    await server.request('PATCH', '/v1/client/profile', {
      token: visitor.sessionToken,
      body: { email: 'claimed@x.example' },
    });
    const target = (
      await create({ externalId: uniqueExternalId('target'), email: `${uniqueExternalId('t')}@x.example` })
    ).json();

    const merged = await server.request('POST', `/v1/users/${visitor.userId}/merge`, {
      ...staff(),
      body: { intoUserId: target.id },
    });
    expect(merged.statusCode).toBe(200);
    expect(merged.json().id).toBe(target.id);
    expect(merged.json().identities).toContainEqual({
      type: 'email',
      value: 'claimed@x.example',
      verified: false,
      primary: false,
      source: 'form',
    });
    expect((await server.request('GET', `/v1/users/${visitor.userId}`, staff())).json().id).toBe(target.id);
    const texts = (await listMessagesOfUser(server.runtime.storage.db, target.id)).map((m) => m.text);
    expect(texts).toEqual(['anonymous question']);
  });

  it('never merges two users that each have an external id, nor a user into itself', async () => {
    const a = (await create({ externalId: uniqueExternalId('a') })).json();
    const b = (await create({ externalId: uniqueExternalId('b') })).json();
    const both = await server.request('POST', `/v1/users/${a.id}/merge`, {
      ...staff(),
      body: { intoUserId: b.id },
    });
    expect(both.statusCode).toBe(409);
    expect(both.json().error.code).toBe('merge_conflict');
    const self = await server.request('POST', `/v1/users/${a.id}/merge`, {
      ...staff(),
      body: { intoUserId: a.id },
    });
    expect(self.statusCode).toBe(409);
  });

  it('erases a user: profile, identities and message text gone, sessions end, 404 afterwards', async () => {
    const externalId = uniqueExternalId('erase');
    const session = (
      await login(
        server,
        await signUserToken(key, {
          external_id: externalId,
          name: 'Gone',
          email: `${externalId}@x.example`,
          email_verified: true,
        }),
      )
    ).json();
    await seedHistory(server, session.sessionToken, 'private words');
    const erased = await server.request('DELETE', `/v1/users/${session.user.id}`, staff());
    expect(erased.statusCode).toBe(204);
    expect((await server.request('GET', `/v1/users/${session.user.id}`, staff())).statusCode).toBe(404);
    expect((await server.request('GET', `/v1/users?externalId=${externalId}`, staff())).json().data).toEqual(
      [],
    );
    expect(
      (await server.request('GET', '/v1/client/session', { token: session.sessionToken })).statusCode,
    ).toBe(401);
    const messages = await listMessagesOfUser(server.runtime.storage.db, session.user.id);
    expect(messages.map((m) => m.text)).toEqual(['']);
    const events = await server.runtime.storage.db.selectFrom('events').select('payload').execute();
    expect(JSON.stringify(events)).not.toContain('private words');
    const log = (
      await server.request('GET', `/v1/auth-events?userId=${session.user.id}`, { token: server.adminToken })
    ).json().data;
    expect(log.every((e: { externalId: string | null }) => e.externalId === null)).toBe(true);
    // The external id is free again: the same person logging in later is a new user.
    const back = (await login(server, await signUserToken(key, { external_id: externalId }))).json();
    expect(back.resolution).toBe('created');
  });

  it('lists users with a cursor', async () => {
    for (let i = 0; i < 3; i++) await create({ name: `listed ${i}` });
    const first = (await server.request('GET', '/v1/users?limit=2', staff())).json();
    expect(first.data).toHaveLength(2);
    const second = (
      await server.request('GET', `/v1/users?limit=2&before=${first.nextCursor}`, staff())
    ).json();
    expect(second.data[0].id < first.data[1].id).toBe(true);
  });
});
