import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login, seedHistory } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';
import { type Invariant, KNOWN_GAPS } from './model/known-gaps.ts';

/**
 * What the identity model found, each as the smallest case that shows it. A case for
 * an invariant listed in KNOWN_GAPS is expected to fail (it.fails): once the server is
 * fixed it passes, vitest reports that, and the entry must leave KNOWN_GAPS.
 */
const finding = (invariant: Invariant) => (KNOWN_GAPS.has(invariant) ? it.fails : it);

describe.each(DATABASES)('identity model findings on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  const admin = () => ({ token: server.adminToken });
  const HOUR = 3_600_000;

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
  });
  afterAll(() => server.close());

  const readCode = async (token: string) => {
    const response = await server.request('GET', '/v1/client/conversations', { token });
    return `${response.statusCode} ${response.json().error?.code ?? ''}`.trim();
  };

  /** A session whose 15-minute token ran out an hour ago (the clock moved 1 h on, for good). */
  async function expiredSession(): Promise<{ sessionToken: string; userId: string; kid: string }> {
    const own = await server.createKey('short-lived');
    const now = Math.floor(server.runtime.now() / 1000);
    const response = await login(
      server,
      await signUserToken(own, { external_id: uniqueExternalId('expiring'), exp: now + 900 }),
    );
    expect(response.statusCode).toBe(200);
    const shifted = server.runtime.now;
    server.runtime.now = () => shifted() + HOUR;
    const { sessionToken, user } = response.json();
    expect(await readCode(sessionToken)).toBe('401 session_expired');
    return { sessionToken, userId: user.id, kid: own.kid };
  }

  finding('end-reason-sticks')(
    'an expired session stays session_expired when its key is deleted later',
    async () => {
      const session = await expiredSession();
      expect((await server.request('DELETE', `/v1/signing-keys/${session.kid}`, admin())).statusCode).toBe(
        204,
      );
      expect(await readCode(session.sessionToken)).toBe('401 session_expired');
    },
  );

  finding('end-reason-sticks')(
    'an expired session stays session_expired when its user is erased later',
    async () => {
      const session = await expiredSession();
      expect((await server.request('DELETE', `/v1/users/${session.userId}`, admin())).statusCode).toBe(204);
      expect(await readCode(session.sessionToken)).toBe('401 session_expired');
    },
  );

  finding('end-reason-sticks')(
    'an expired session stays session_expired when its user is merged later',
    async () => {
      const session = await expiredSession();
      const survivor = await anonymousSession(server);
      const merged = await server.request('POST', `/v1/users/${session.userId}/merge`, {
        ...admin(),
        body: { intoUserId: survivor.userId },
      });
      expect(merged.statusCode).toBe(200);
      expect(await readCode(session.sessionToken)).toBe('401 session_expired');
    },
  );

  finding('anonymous-is-derived')(
    'a visitor given a verified email by hand logs in as someone else: nothing moves, the email stays',
    async () => {
      const email = `${uniqueExternalId('held')}@model.example`;
      const visitor = await anonymousSession(server);
      await seedHistory(server, visitor.sessionToken, 'from the visitor');
      const directory = await server.request('POST', '/v1/users', { ...admin(), body: { email } });
      expect(directory.statusCode).toBe(201);
      const merge = await server.request('POST', `/v1/users/${directory.json().id}/merge`, {
        ...admin(),
        body: { intoUserId: visitor.userId },
      });
      expect(merge.statusCode).toBe(200);

      const other = uniqueExternalId('other');
      const response = await login(
        server,
        await signUserToken(key, { external_id: other }),
        visitor.sessionToken,
      );
      expect(response.statusCode).toBe(200);
      expect(response.json().mergedAnonymous).toBe(false);
      const holder = await server.request('GET', `/v1/users?email=${encodeURIComponent(email)}`, admin());
      expect(holder.json().data.map((u: { id: string }) => u.id)).toEqual([visitor.userId]);
      const history = await server.request('GET', '/v1/client/conversations', {
        token: response.json().sessionToken,
      });
      expect(history.json().data).toEqual([]);
    },
  );

  finding('unmerge-sessions')(
    'undoing a merge: a session proved for the external id that goes back stops reading the survivor',
    async () => {
      // L (external id X) is merged by hand into visitor S; X then logs in on a new device
      // and lands on S, which holds X now; the merge is undone and X is L's again.
      const x = uniqueExternalId('undo');
      const first = await login(server, await signUserToken(key, { external_id: x }));
      const merged = first.json().user.id;
      const visitor = await anonymousSession(server);
      await seedHistory(server, visitor.sessionToken, 'the visitor’s own');
      const merge = await server.request('POST', `/v1/users/${merged}/merge`, {
        ...admin(),
        body: { intoUserId: visitor.userId },
      });
      expect(merge.statusCode).toBe(200);
      const device = await login(server, await signUserToken(key, { external_id: x }));
      expect(device.json().user.id).toBe(visitor.userId);
      const undo = await server.request('POST', `/v1/users/${visitor.userId}/unmerge`, {
        ...admin(),
        body: { mergedUserId: merged },
      });
      expect(undo.statusCode).toBe(200);

      // The device proved X, and X is L's: it follows X to L, or its session ends.
      const token = device.json().sessionToken;
      const session = await server.request('GET', '/v1/client/session', { token });
      if (session.statusCode === 200) expect(session.json().user.id).toBe(merged);
      else expect(session.json().error.code).toBe('session_ended');
      const history = await server.request('GET', '/v1/client/conversations', { token });
      expect(history.body).not.toContain(visitor.userId);
    },
  );
});
