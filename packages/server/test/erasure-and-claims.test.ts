import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login, seedHistory } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';

/** Every table a query can reach, as text: what erasure must leave no trace in. */
const TABLES = [
  'users',
  'identities',
  'client_sessions',
  'auth_events',
  'conversations',
  'messages',
  'events',
  'merges',
  'bot_states',
  'conversation_reads',
  'identity_journal',
  'webhook_events',
  'webhook_deliveries',
  'webhook_attempts',
] as const;

describe.each(DATABASES)('erasure and lossless claims on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  const admin = () => ({ token: server.adminToken });

  const everything = async (): Promise<string> => {
    const db = server.runtime.storage.db;
    const dumps: string[] = [];
    for (const table of TABLES) {
      const rows = await sql`select * from ${sql.table(table)}`.execute(db);
      dumps.push(JSON.stringify(rows.rows));
    }
    return dumps.join('\n');
  };

  beforeAll(async () => {
    // The bot is on: its greeting quotes the user's first name.
    // A webhook endpoint, so the outbox holds every change's payload too.
    server = await startTestServer(kind, { WEBHOOK_ALLOW_PRIVATE: '1' }, { bot: true });
    key = await server.createKey();
    const hook = await server.request('POST', '/v1/webhooks', {
      token: server.adminToken,
      body: { url: 'http://127.0.0.1:9/never-answers', events: ['*'] },
    });
    expect(hook.statusCode).toBe(201);
  });
  afterAll(() => server.close());

  it('erasure leaves no name, email or external id anywhere a query can find it (IDENTITY.md §8)', async () => {
    const externalId = uniqueExternalId('erase');
    const name = `Zebulon ${externalId}`;
    const email = `${externalId}@erase.example`;
    const formEmail = `${externalId}-form@erase.example`;
    // An anonymous visitor with a typed name and email, whose history later joins the user.
    const visitor = await anonymousSession(server);
    await seedHistory(server, visitor.sessionToken, `my order, signed ${name}`);
    await server.request('PATCH', '/v1/client/profile', {
      token: visitor.sessionToken,
      body: { name, email: formEmail },
    });
    // A failed login naming the external id, from a browser with an address.
    await server.request('POST', '/v1/client/login', {
      body: { jwt: await signUserToken({ ...key, secret: 'wrong'.repeat(10) }, { external_id: externalId }) },
      headers: { 'user-agent': `agent-of-${externalId}`, 'x-forwarded-for': '203.0.113.9' },
    });
    const session = (
      await login(
        server,
        await signUserToken(key, {
          external_id: externalId,
          name,
          email,
          email_verified: true,
          tags: ['vip'],
        }),
        visitor.sessionToken,
      )
    ).json();
    expect(session.mergedAnonymous).toBe(true);
    const conversationId = await seedHistory(server, session.sessionToken, `write to ${email}`);
    await server.request('POST', `/v1/conversations/${conversationId}/messages`, {
      ...admin(),
      body: { text: `Hello ${name}, we will mail ${email}` },
    });
    const before = await everything();
    expect(before).toContain(name.split(' ')[0]);
    const outbox = await sql`select data from webhook_events`.execute(server.runtime.storage.db);
    expect(JSON.stringify(outbox.rows)).toContain(externalId);
    expect(before).toContain(externalId);

    const erased = await server.request('DELETE', `/v1/users/${session.user.id}`, admin());
    expect(erased.statusCode).toBe(204);

    const after = await everything();
    for (const trace of ['Zebulon', externalId, email, formEmail, 'vip', '203.0.113.9']) {
      const at = after.indexOf(trace);
      expect(after, `${trace} in …${after.slice(Math.max(0, at - 300), at + 50)}`).not.toContain(trace);
    }
    for (const lookup of [`/v1/users?externalId=${externalId}`, `/v1/users?email=${email}`]) {
      expect((await server.request('GET', lookup, admin())).json().data).toEqual([]);
    }
    expect(
      (await server.request('GET', `/v1/auth-events?externalId=${externalId}`, admin())).json().data,
    ).toEqual([]);
    // Time and outcome stay, so the log's counts stay true.
    const rows = await server.runtime.storage.db
      .selectFrom('auth_events')
      .select(['outcome', 'external_id'])
      .where('user_id', '=', session.user.id)
      .execute();
    expect(rows).toEqual([{ outcome: 'ok', external_id: null }]);
    // The merged visitor's id answers 404 like the user's.
    expect((await server.request('GET', `/v1/users/${visitor.userId}`, admin())).statusCode).toBe(404);
    const again = (await login(server, await signUserToken(key, { external_id: externalId }))).json();
    expect(again.resolution).toBe('created');
  });

  it('two int64 external ids that differ in the last digit are two users (never through a double)', async () => {
    const base = 9_007_199_254_740_992n + BigInt(Math.floor(Math.random() * 1e6)) * 10n;
    const ids: string[] = [];
    for (const digits of [base, base + 1n]) {
      // The JSON number is written out by hand: JSON.stringify would round it first.
      const payload = `{"scope":"user","external_id":${digits},"exp":${Math.floor(Date.now() / 1000) + 600}}`;
      const response = await login(server, await signRaw(key, payload));
      expect(response.statusCode).toBe(200);
      expect(response.json().user.externalId).toBe(digits.toString());
      ids.push(response.json().user.id);
    }
    expect(new Set(ids).size).toBe(2);
  });

  it('a number with a fraction or an exponent is invalid_claim external_id', async () => {
    for (const literal of ['12.5', '1e3', '12.0']) {
      const response = await login(server, await signRaw(key, `{"scope":"user","external_id":${literal}}`));
      expect(response.statusCode, literal).toBe(401);
      expect(response.json().error).toMatchObject({ reason: 'invalid_claim', claim: 'external_id' });
    }
  });

  it('tags: lowercased and stored; replaced by the next login that carries them; kept by one that does not', async () => {
    const externalId = uniqueExternalId('tags');
    const first = (
      await login(
        server,
        await signUserToken(key, { external_id: externalId, tags: ['Plan:Pro', 'beta', 'beta'] }),
      )
    ).json();
    expect(first.user.tags).toEqual(['plan:pro', 'beta']);
    const second = (
      await login(server, await signUserToken(key, { external_id: externalId, tags: ['eu'] }))
    ).json();
    expect(second.user.tags).toEqual(['eu']);
    const third = (await login(server, await signUserToken(key, { external_id: externalId }))).json();
    expect(third.user.tags).toEqual(['eu']);
  });

  it('tags that break the rules are invalid_claim tags', async () => {
    for (const tags of [
      'vip',
      ['has space'],
      [''],
      ['x'.repeat(65)],
      Array.from({ length: 51 }, (_, i) => `t${i}`),
      [1],
    ]) {
      const response = await login(
        server,
        await signUserToken(key, { external_id: uniqueExternalId('bad'), tags }),
      );
      expect(response.statusCode, JSON.stringify(tags)).toBe(401);
      expect(response.json().error).toMatchObject({ reason: 'invalid_claim', claim: 'tags' });
    }
  });
});

/** Signs a payload given as JSON text, so numbers reach the server exactly as written. */
async function signRaw(key: { kid: string; secret: string }, payload: string): Promise<string> {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid })).toString(
    'base64url',
  );
  const body = Buffer.from(payload).toString('base64url');
  const signature = createHmac('sha256', key.secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}
