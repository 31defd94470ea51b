import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';
import { ACCEPTED, BATTERY, forge } from './token-battery.ts';

type Inspection = {
  valid: boolean;
  reason: string | null;
  claim: string | null;
  explanation: string;
  checks: { rule: string; result: string; reason?: string; claim?: string }[];
  key: { kid: string; state: string; name: string | null } | null;
  dryRun: {
    userId: string | null;
    resolution: string;
    emailOutcome: string;
    mergesUserId: string | null;
  } | null;
};

/** The token debugger (POST /v1/tokens/inspect): the login path's verdict, explained, and nothing written. */
describe.each(DATABASES)('the token debugger on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  const inspect = async (jwt: string): Promise<Inspection> => {
    const response = await server.request('POST', '/v1/tokens/inspect', {
      token: server.adminToken,
      body: { jwt },
    });
    expect(response.statusCode).toBe(200);
    return response.json();
  };
  const count = async (table: 'auth_events' | 'users' | 'identities') =>
    Number(
      (
        await server.runtime.storage.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey('Web shop');
  });
  afterAll(() => server.close());

  it('agrees with the login path on every case of the forged-token battery, and writes nothing', async () => {
    const before = await Promise.all([count('auth_events'), count('users'), count('identities')]);
    const inspections: [string, Inspection][] = [];
    for (const { name, token } of BATTERY) inspections.push([name, await inspect(token(key))]);
    expect(await Promise.all([count('auth_events'), count('users'), count('identities')])).toEqual(before);

    for (const [index, [name, inspection]] of inspections.entries()) {
      const jwt = BATTERY[index]!.token(key);
      const real = (await login(server, jwt)).json().error;
      expect({ name, reason: inspection.reason, claim: inspection.claim ?? undefined }).toEqual({
        name,
        reason: real.reason,
        claim: real.claim,
      });
      // The first failing rule in the report is the verdict.
      const firstFailure = inspection.checks.find((c) => c.result === 'fail');
      expect({ name, reason: firstFailure?.reason }).toEqual({ name, reason: real.reason });
      expect(inspection.valid).toBe(false);
      expect(inspection.explanation.length).toBeGreaterThan(20);
    }
    for (const { name, token } of ACCEPTED) {
      const inspection = await inspect(token(key));
      expect({ name, valid: inspection.valid }).toEqual({ name, valid: true });
      expect(inspection.checks.every((c) => c.result === 'pass')).toBe(true);
    }
  });

  it('names the key and explains a wrong secret in words, never showing the secret', async () => {
    const wrong = forge(
      { kid: key.kid, secret: 'not-the-secret-at-all-0123456789' },
      {
        payload: { scope: 'user', external_id: 'x' },
      },
    );
    const inspection = await inspect(wrong);
    expect(inspection).toMatchObject({
      valid: false,
      reason: 'bad_signature',
      key: { state: 'live', name: 'Web shop' },
    });
    expect(inspection.explanation).toContain('Web shop');
    expect(inspection.explanation).toContain('UTF-8');
    expect(JSON.stringify(inspection)).not.toContain(key.secret);

    // The commonest mistake, named: the secret was base64-decoded before signing.
    const decoded = forge({ kid: key.kid, secret: '' }, { payload: { scope: 'user', external_id: 'x' } });
    const [h, p] = decoded.split('.');
    const mac = createHmac('sha256', Buffer.from(key.secret, 'base64url'))
      .update(`${h}.${p}`)
      .digest('base64url');
    expect((await inspect(`${h}.${p}.${mac}`)).explanation).toContain('base64-decoded');
  });

  it('tells a deleted key from an unknown one', async () => {
    const doomed = await server.createKey('Old shop');
    await server.request('DELETE', `/v1/signing-keys/${doomed.kid}`, { token: server.adminToken });
    const inspection = await inspect(await signUserToken(doomed, { external_id: 'x' }));
    expect(inspection).toMatchObject({ reason: 'unknown_kid', key: { state: 'deleted', name: 'Old shop' } });
    expect(inspection.explanation).toContain('was deleted');
    const unknown = await inspect(
      await signUserToken({ kid: 'app_000000000000000000000000', secret: 's' }, { external_id: 'x' }),
    );
    expect(unknown.key?.state).toBe('unknown');
  });

  it('its dry run agrees with the real login that follows it, on generated cases', async () => {
    const seen = { externalIds: [] as string[], emails: [] as string[] };
    // A few users to collide with: one by external id, one email-only holder of a verified email.
    const known = uniqueExternalId('known');
    await login(server, await signUserToken(key, { external_id: known }));
    seen.externalIds.push(known);
    const holderEmail = `${uniqueExternalId('holder')}@example.com`;
    await server.request('POST', '/v1/users', { token: server.adminToken, body: { email: holderEmail } });
    seen.emails.push(holderEmail);

    await fc.assert(
      fc.asyncProperty(
        fc.record({
          externalId: fc.oneof(fc.constant('new'), fc.constantFrom(...seen.externalIds)),
          email: fc.oneof(fc.constant(undefined), fc.constant('new'), fc.constantFrom(...seen.emails)),
          verified: fc.boolean(),
        }),
        async ({ externalId, email, verified }) => {
          const claims = {
            external_id: externalId === 'new' ? uniqueExternalId('gen') : externalId,
            ...(email
              ? {
                  email: email === 'new' ? `${uniqueExternalId('gen')}@example.com` : email,
                  email_verified: verified,
                }
              : {}),
          };
          const jwt = await signUserToken(key, claims);
          const { dryRun } = await inspect(jwt);
          const real = (await login(server, jwt)).json();
          expect(dryRun).toMatchObject({ resolution: real.resolution, emailOutcome: real.emailOutcome });
          if (dryRun?.userId !== null) expect(dryRun?.userId).toBe(real.user.id);
          seen.externalIds.push(claims.external_id);
          if (claims.email && verified) seen.emails.push(claims.email);
        },
      ),
      { numRuns: 25, seed: 20261129 },
    );
  });

  it('is for admins only', async () => {
    const jwt = await signUserToken(key, { external_id: 'x' });
    expect((await server.request('POST', '/v1/tokens/inspect', { body: { jwt } })).statusCode).toBe(401);
    const agent = await server.request('POST', '/v1/tokens/inspect', {
      token: server.agentToken,
      body: { jwt },
    });
    expect(agent.statusCode).toBe(403);
    const device = await anonymousSession(server);
    const client = await server.request('POST', '/v1/tokens/inspect', {
      token: device.sessionToken,
      body: { jwt },
    });
    expect(client.statusCode).toBe(401);
  });
});
