import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMessagesOfUser } from '../src/messaging/messages.repository.ts';
import { anonymousSession, login, seedHistory } from './factories.ts';
import {
  DATABASES,
  leakedSecrets,
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from './harness.ts';

/** IDENTITY.md §6: the four scenarios people tested by hand, end to end over HTTP. */
describe.each(DATABASES)('the four identity scenarios on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
  });
  afterAll(async () => {
    expect(leakedSecrets(server)).toEqual([]);
    await server.close();
  });

  it('1. a brand-new user logs in: one new user with name, external id and verified email', async () => {
    const externalId = uniqueExternalId('new');
    const jwt = await signUserToken(
      key,
      { external_id: externalId, name: 'Ada Lovelace', email: 'Ada@Example.com', email_verified: true },
      server.secrets,
    );
    const response = await login(server, jwt);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      authenticated: true,
      resolution: 'created',
      emailOutcome: 'attached',
      mergedAnonymous: false,
      user: { name: 'Ada Lovelace', externalId, email: 'Ada@Example.com', authenticated: true },
    });
    expect(body.user.identities).toEqual(
      expect.arrayContaining([
        { type: 'external_id', value: externalId, verified: true, primary: true, source: 'jwt' },
        { type: 'email', value: 'Ada@Example.com', verified: true, primary: true, source: 'jwt' },
      ]),
    );
    const lookup = await server.request('GET', `/v1/users?externalId=${encodeURIComponent(externalId)}`, {
      token: server.adminToken,
    });
    expect(lookup.json().data.map((u: { id: string }) => u.id)).toEqual([body.user.id]);
  });

  it('2. a user known by verified email logs in with it verified: same user, external id attached', async () => {
    const email = `${uniqueExternalId('known')}@example.com`;
    const created = await server.request('POST', '/v1/users', {
      token: server.adminToken,
      body: { name: 'Grace', email },
    });
    expect(created.statusCode).toBe(201);
    const externalId = uniqueExternalId('grace');
    const jwt = await signUserToken(
      key,
      { external_id: externalId, email: email.toUpperCase(), email_verified: true },
      server.secrets,
    );
    const response = await login(server, jwt);
    expect(response.json()).toMatchObject({
      resolution: 'matched_email',
      user: { id: created.json().id, externalId, authenticated: true },
    });
    const byEmail = await server.request('GET', `/v1/users?email=${encodeURIComponent(email)}`, {
      token: server.adminToken,
    });
    expect(byEmail.json().data).toHaveLength(1);
  });

  it('3 and 4. a form email does not take over the owner; the later login joins the histories', async () => {
    const email = `${uniqueExternalId('owner')}@example.com`;
    const externalId = uniqueExternalId('owner');
    const ownerJwt = await signUserToken(
      key,
      { external_id: externalId, email, email_verified: true, name: 'Owner' },
      server.secrets,
    );
    const owner = (await login(server, ownerJwt)).json().user;

    // 3. An anonymous visitor chats and types the owner's email into the details form.
    const visitor = await anonymousSession(server);
    await seedHistory(server, visitor.sessionToken, 'hello from before login');
    const form = await server.request('PATCH', '/v1/client/profile', {
      token: visitor.sessionToken,
      body: { email, name: 'Typed Name' },
    });
    expect(form.statusCode).toBe(200);
    expect(form.json().user.identities).toEqual([
      { type: 'email', value: email, verified: false, primary: true, source: 'form' },
    ]);
    const ownerAfterForm = await server.request('GET', `/v1/users/${owner.id}`, { token: server.adminToken });
    expect(ownerAfterForm.json()).toMatchObject({ id: owner.id, name: 'Owner', email });
    const matches = await server.request('GET', `/v1/users/${visitor.userId}/possible-matches`, {
      token: server.agentToken,
    });
    expect(matches.json().data.map((u: { id: string }) => u.id)).toEqual([owner.id]);

    // 4. The visitor logs in as the owner on the same device: one user, both histories.
    const response = await login(server, ownerJwt, visitor.sessionToken);
    expect(response.json()).toMatchObject({
      resolution: 'matched_external_id',
      mergedAnonymous: true,
      user: { id: owner.id },
    });
    const texts = (await listMessagesOfUser(server.runtime.storage.db, owner.id)).map((m) => m.text);
    expect(texts).toContain('hello from before login');
    const visitorNow = await server.request('GET', `/v1/users/${visitor.userId}`, {
      token: server.adminToken,
    });
    expect(visitorNow.json().id).toBe(owner.id);
    const byEmail = await server.request('GET', `/v1/users?email=${encodeURIComponent(email)}`, {
      token: server.adminToken,
    });
    expect(byEmail.json().data.map((u: { id: string }) => u.id)).toEqual([owner.id]);
  });
});
