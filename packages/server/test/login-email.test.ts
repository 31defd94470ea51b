import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';

/** IDENTITY.md §3.2–3.3: what an email in a token may and may not do. */
describe.each(DATABASES)('emails in tokens on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  const admin = () => ({ token: server.adminToken });
  const events = async (externalId: string) =>
    (
      await server.request('GET', `/v1/auth-events?externalId=${encodeURIComponent(externalId)}`, admin())
    ).json().data;

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
  });
  afterAll(() => server.close());

  it('a verified email matches an email-only user', async () => {
    const email = `${uniqueExternalId('m')}@example.com`;
    const emailOnly = (await server.request('POST', '/v1/users', { ...admin(), body: { email } })).json();
    const externalId = uniqueExternalId('m');
    const body = (
      await login(
        server,
        await signUserToken(key, {
          external_id: externalId,
          email: ` ${email.toUpperCase()} `,
          email_verified: true,
        }),
      )
    ).json();
    expect(body).toMatchObject({
      resolution: 'matched_email',
      emailOutcome: 'attached',
      user: { id: emailOnly.id, externalId },
    });
  });

  it('an existing external-id user absorbs an email-only user holding the verified email', async () => {
    const externalId = uniqueExternalId('absorb');
    const first = (await login(server, await signUserToken(key, { external_id: externalId }))).json().user;
    const email = `${uniqueExternalId('absorb')}@example.com`;
    const emailOnly = (
      await server.request('POST', '/v1/users', { ...admin(), body: { email, name: 'From email' } })
    ).json();
    const body = (
      await login(server, await signUserToken(key, { external_id: externalId, email, email_verified: true }))
    ).json();
    expect(body).toMatchObject({
      resolution: 'merged_email_user',
      emailOutcome: 'attached',
      user: { id: first.id, email },
    });
    const merged = await server.request('GET', `/v1/users/${emailOnly.id}`, admin());
    expect(merged.json().id).toBe(first.id);
  });

  it('an unverified email never matches, and is ignored by default', async () => {
    const email = `${uniqueExternalId('u')}@example.com`;
    const holder = (await server.request('POST', '/v1/users', { ...admin(), body: { email } })).json();
    const externalId = uniqueExternalId('u');
    const body = (
      await login(server, await signUserToken(key, { external_id: externalId, email, email_verified: false }))
    ).json();
    expect(body.user.id).not.toBe(holder.id);
    expect(body).toMatchObject({
      resolution: 'created',
      emailOutcome: 'ignored_unverified',
      user: { email: null },
    });
    expect((await events(externalId))[0]).toMatchObject({
      outcome: 'ok',
      emailOutcome: 'ignored_unverified',
    });
  });

  it('with unverifiedEmail: attach, an unverified email is kept as an unverified identity', async () => {
    await server.request('PATCH', '/v1/settings', { ...admin(), body: { unverifiedEmail: 'attach' } });
    try {
      const email = `${uniqueExternalId('a')}@example.com`;
      const holder = (await server.request('POST', '/v1/users', { ...admin(), body: { email } })).json();
      const body = (
        await login(server, await signUserToken(key, { external_id: uniqueExternalId('a'), email }))
      ).json();
      expect(body.user.id).not.toBe(holder.id);
      expect(body.emailOutcome).toBe('attached_unverified');
      expect(body.user.identities).toContainEqual({
        type: 'email',
        value: email,
        verified: false,
        primary: true,
        source: 'jwt',
      });
    } finally {
      await server.request('PATCH', '/v1/settings', { ...admin(), body: { unverifiedEmail: 'ignore' } });
    }
  });

  it('a verified email held by a user with another external id: login succeeds, email conflict, no fusion', async () => {
    const email = `${uniqueExternalId('c')}@example.com`;
    const otherId = uniqueExternalId('other');
    const other = (
      await login(server, await signUserToken(key, { external_id: otherId, email, email_verified: true }))
    ).json().user;

    // A new external id: a new user, without the email.
    const newcomerId = uniqueExternalId('newcomer');
    const newcomer = (
      await login(server, await signUserToken(key, { external_id: newcomerId, email, email_verified: true }))
    ).json();
    expect(newcomer).toMatchObject({
      resolution: 'created',
      emailOutcome: 'conflict',
      user: { email: null },
    });
    expect(newcomer.user.id).not.toBe(other.id);

    // A known external id: matched, the email not attached.
    const again = (
      await login(server, await signUserToken(key, { external_id: newcomerId, email, email_verified: true }))
    ).json();
    expect(again).toMatchObject({
      resolution: 'matched_external_id',
      emailOutcome: 'conflict',
      user: { id: newcomer.user.id, email: null },
    });
    expect((await events(newcomerId)).map((e: { emailOutcome: string }) => e.emailOutcome)).toEqual([
      'conflict',
      'conflict',
    ]);

    const holder = await server.request('GET', `/v1/users/${other.id}`, admin());
    expect(holder.json()).toMatchObject({ externalId: otherId, email });
  });
});
