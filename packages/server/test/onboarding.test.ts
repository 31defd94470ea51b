import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer } from './harness.ts';

describe.each(DATABASES)('the getting-started checklist on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());
  const state = async () =>
    (await server.request('GET', '/v1/onboarding', { token: server.adminToken })).json();
  const send = (token: string, text: string) =>
    server.request('POST', '/v1/client/messages', { token, body: { text, clientMessageId: text } });

  it('ticks each step from stored state only', async () => {
    expect(await state()).toEqual({
      signingKey: false,
      login: false,
      authenticatedMessage: false,
      demo: false,
    });
    // The demo shop's key is not the admin's own.
    await server.createKey('Demo shop');
    expect((await state()).signingKey).toBe(false);

    const key = await server.createKey('Web shop');
    expect(await state()).toEqual({
      signingKey: true,
      login: false,
      authenticatedMessage: false,
      demo: false,
    });

    // A failed login and an anonymous message tick nothing.
    await login(server, await signUserToken({ kid: key.kid, secret: 'wrong' }, { external_id: 'o1' }));
    const visitor = (await server.request('POST', '/v1/client/sessions', { body: {} })).json();
    await send(visitor.sessionToken, 'anonymous hello');
    expect(await state()).toEqual({
      signingKey: true,
      login: false,
      authenticatedMessage: false,
      demo: false,
    });

    const session = (await login(server, await signUserToken(key, { external_id: 'o1' }))).json();
    expect(await state()).toEqual({
      signingKey: true,
      login: true,
      authenticatedMessage: false,
      demo: false,
    });
    await send(session.sessionToken, 'authenticated hello');
    expect(await state()).toEqual({ signingKey: true, login: true, authenticatedMessage: true, demo: false });

    // Deleting the key unticks: the checklist follows the keys that can still log in.
    await server.request('DELETE', `/v1/signing-keys/${key.kid}`, { token: server.adminToken });
    expect(await state()).toEqual({
      signingKey: false,
      login: false,
      authenticatedMessage: false,
      demo: false,
    });
  });

  it('is for admins only', async () => {
    const answer = await server.request('GET', '/v1/onboarding', { token: server.agentToken });
    expect(answer.statusCode).toBe(403);
  });
  it('offers the demo shop when it is served, and a demo login ticks nothing of the admin’s own', async () => {
    const demo = await startTestServer(kind, { SIGNET_DEMO: '1' });
    try {
      const token = await demo.request('POST', '/demo/token', { body: { externalId: 'demo-ada' } });
      expect(token.statusCode).toBe(200);
      expect((await login(demo, token.json().jwt)).statusCode).toBe(200);
      const onboarding = (await demo.request('GET', '/v1/onboarding', { token: demo.adminToken })).json();
      expect(onboarding).toEqual({
        signingKey: false,
        login: false,
        authenticatedMessage: false,
        demo: true,
      });
    } finally {
      await demo.close();
    }
  });
});
