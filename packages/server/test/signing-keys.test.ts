import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMessagesOfUser } from '../src/messaging/messages.repository.ts';
import { anonymousSession, login, seedHistory } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';

describe.each(DATABASES)('signing keys on %s', (kind) => {
  let server: TestServer;
  const admin = () => ({ token: server.adminToken });

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it('shows the secret once, then only its prefix', async () => {
    const created = await server.request('POST', '/v1/signing-keys', { ...admin(), body: { name: 'web' } });
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key.kid).toMatch(/^app_[0-9a-f]{24}$/);
    expect(Buffer.from(key.secret, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(key.secretPrefix).toBe(key.secret.slice(0, 6));

    const list = await server.request('GET', '/v1/signing-keys', admin());
    expect(list.body).not.toContain(key.secret);
    expect(list.json().data.find((k: { kid: string }) => k.kid === key.kid)).toEqual({
      kid: key.kid,
      name: 'web',
      secretPrefix: key.secretPrefix,
      createdAt: key.createdAt,
      lastUsedAt: null,
    });
  });

  it('keeps secrets encrypted at rest: the database alone does not reveal them', async () => {
    const key = await server.createKey('at rest');
    const rows = await server.runtime.storage.db.selectFrom('signing_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(key.secret);
    const row = rows.find((r) => r.kid === key.kid)!;
    expect(row.secret_sealed.startsWith('v1.')).toBe(true);
  });

  it('records when a key was last used', async () => {
    const key = await server.createKey('used');
    await login(server, await signUserToken(key, { external_id: uniqueExternalId() }));
    const listed = (await server.request('GET', '/v1/signing-keys', admin()))
      .json()
      .data.find((k: { kid: string }) => k.kid === key.kid);
    expect(listed.lastUsedAt).not.toBeNull();
  });

  it('a deleted key: tokens refused at once, its sessions end, data untouched', async () => {
    const key = await server.createKey('to delete');
    const other = await server.createKey('stays');
    const externalId = uniqueExternalId('keyed');
    const device = await anonymousSession(server);
    await seedHistory(server, device.sessionToken, 'before login');
    const session = (
      await login(server, await signUserToken(key, { external_id: externalId }), device.sessionToken)
    ).json();
    await seedHistory(server, session.sessionToken, 'while authenticated');
    const viaOther = (
      await login(server, await signUserToken(other, { external_id: uniqueExternalId() }))
    ).json();

    const deleted = await server.request('DELETE', `/v1/signing-keys/${key.kid}`, admin());
    expect(deleted.statusCode).toBe(204);

    const refused = await login(server, await signUserToken(key, { external_id: externalId }));
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toMatchObject({ code: 'invalid_token', reason: 'unknown_kid' });

    // IDENTITY.md §7: the session ends; its device logs in again through the host page.
    const state = await server.request('GET', '/v1/client/session', { token: session.sessionToken });
    expect(state.statusCode).toBe(401);
    expect(state.json().error).toMatchObject({ code: 'session_ended', reason: 'key_deleted' });
    const untouchedSession = await server.request('GET', '/v1/client/session', {
      token: viaOther.sessionToken,
    });
    expect(untouchedSession.json().authenticated).toBe(true);

    const user = await server.request('GET', `/v1/users/${session.user.id}`, admin());
    expect(user.json()).toMatchObject({ externalId, authenticated: true });
    const messages = await listMessagesOfUser(server.runtime.storage.db, session.user.id);
    expect(messages.map((m) => [m.text, m.authenticated])).toEqual([
      ['before login', 0],
      ['while authenticated', 1],
    ]);
    expect(
      (await server.request('GET', '/v1/signing-keys', admin()))
        .json()
        .data.map((k: { kid: string }) => k.kid),
    ).not.toContain(key.kid);
  });

  it('deleting an unknown key is 404', async () => {
    const response = await server.request('DELETE', '/v1/signing-keys/app_000000000000000000000000', admin());
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
  });

  it('allows at most 50 live keys', async () => {
    const live = (await server.request('GET', '/v1/signing-keys', admin())).json().data.length;
    for (let i = live; i < 50; i++) await server.createKey(`fill ${i}`);
    const refused = await server.request('POST', '/v1/signing-keys', {
      ...admin(),
      body: { name: 'one too many' },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('too_many_keys');
  });

  it('needs an admin: an agent token is 403, no token 401', async () => {
    expect((await server.request('GET', '/v1/signing-keys', { token: server.agentToken })).statusCode).toBe(
      403,
    );
    expect(
      (await server.request('POST', '/v1/signing-keys', { token: server.agentToken, body: { name: 'x' } }))
        .statusCode,
    ).toBe(403);
    expect((await server.request('GET', '/v1/signing-keys')).statusCode).toBe(401);
    expect((await server.request('GET', '/v1/signing-keys', { token: 'sgt_forged' })).statusCode).toBe(401);
  });
});
