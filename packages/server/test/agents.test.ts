import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../src/agents/create-agent.ts';
import {
  DATABASES,
  leakedSecrets,
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from './harness.ts';

describe.each(DATABASES)('agent sign-in, agents and API tokens on %s', (kind) => {
  let server: TestServer;
  const password = 'a long enough password';

  beforeAll(async () => {
    server = await startTestServer(kind);
    server.secrets.add(password);
    await createAgent(server.runtime, { email: 'Ann@Shop.example', name: 'Ann', role: 'agent', password });
  });
  afterAll(async () => {
    expect(leakedSecrets(server)).toEqual([]);
    await server.close();
  });

  const signIn = async (email: string, pw = password) =>
    server.request('POST', '/v1/agent/login', { body: { email, password: pw } });

  it('signs in with an HttpOnly, SameSite=Lax cookie and answers wrong credentials alike', async () => {
    const ok = await signIn('ann@shop.example');
    expect(ok.statusCode).toBe(200);
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/^signet_agent=sas_/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(ok.json()).toMatchObject({ agent: { email: 'ann@shop.example', role: 'agent' } });
    expect(ok.body).not.toContain(cookie.split(';')[0]!.split('=')[1]);

    const wrongPassword = await signIn('ann@shop.example', 'not the password');
    const unknownEmail = await signIn('nobody@shop.example');
    expect([wrongPassword.statusCode, unknownEmail.statusCode]).toEqual([401, 401]);
    expect(wrongPassword.json().error).toEqual(unknownEmail.json().error);
  });

  it('a cookie session reads freely, mutates only with its CSRF token, and ends at logout', async () => {
    const ok = await signIn('ann@shop.example');
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
    const csrf = ok.json().csrfToken as string;
    server.secrets.add(cookie.split('=')[1]!);
    const headers = { cookie };
    expect((await server.request('GET', '/v1/conversations', { headers })).statusCode).toBe(200);
    expect((await server.request('POST', '/v1/users', { headers, body: { name: 'x' } })).statusCode).toBe(
      403,
    );
    expect(
      (
        await server.request('POST', '/v1/users', {
          headers: { ...headers, 'x-csrf-token': csrf },
          body: { name: 'x' },
        })
      ).statusCode,
    ).toBe(201);
    expect((await server.request('GET', '/v1/signing-keys', { headers })).statusCode).toBe(403);
    expect((await server.request('GET', '/v1/agent/me', { headers })).json()).toMatchObject({
      agent: { name: 'Ann' },
      csrfToken: csrf,
    });

    const out = await server.request('POST', '/v1/agent/logout', {
      headers: { ...headers, 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await server.request('GET', '/v1/conversations', { headers })).statusCode).toBe(401);
  });

  it('lets admins add agents and API tokens; tokens are shown once and listed without their secret', async () => {
    const admin = { token: server.adminToken };
    const created = await server.request('POST', '/v1/agents', {
      ...admin,
      body: { email: 'cy@shop.example', name: 'Cy', role: 'admin', password },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain(password);
    expect(
      (
        await server.request('POST', '/v1/agents', {
          ...admin,
          body: { email: 'cy@shop.example', name: 'Cy', role: 'admin', password },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await server.request('POST', '/v1/agents', {
          token: server.agentToken,
          body: { email: 'd@shop.example', name: 'D', role: 'agent', password },
        })
      ).statusCode,
    ).toBe(403);

    const token = (
      await server.request('POST', '/v1/api-tokens', { ...admin, body: { name: 'zapier', role: 'agent' } })
    ).json();
    expect(token.token).toMatch(/^sgt_/);
    const listed = await server.request('GET', '/v1/api-tokens', admin);
    expect(listed.body).not.toContain(token.token);
    expect(listed.json().data.map((t: { name: string }) => t.name)).toContain('zapier');
    expect((await server.request('GET', '/v1/conversations', { token: token.token })).statusCode).toBe(200);
    expect((await server.request('DELETE', `/v1/api-tokens/${token.id}`, admin)).statusCode).toBe(204);
    expect((await server.request('GET', '/v1/conversations', { token: token.token })).statusCode).toBe(401);
  });

  it('counts login outcomes per hour for the chart', async () => {
    const stats24h = async () =>
      (await server.request('GET', '/v1/auth-events/stats?window=24h', { token: server.adminToken })).json();
    const before = await stats24h();
    const key = await server.createKey();
    const good = await signUserToken(key, { external_id: uniqueExternalId('stats') });
    const forged = await signUserToken({ kid: key.kid, secret: 'not the secret' }, { external_id: 'x' });
    expect((await server.request('POST', '/v1/client/login', { body: { jwt: good } })).statusCode).toBe(200);
    expect((await server.request('POST', '/v1/client/login', { body: { jwt: forged } })).statusCode).toBe(
      401,
    );
    const stats = await stats24h();
    expect(stats.buckets).toHaveLength(24);
    expect(stats.totals.ok).toBe((before.totals.ok ?? 0) + 1);
    expect(stats.totals.bad_signature).toBe((before.totals.bad_signature ?? 0) + 1);
    const lastHour = stats.buckets.at(-1).counts;
    expect(lastHour.ok).toBeGreaterThanOrEqual(1);
    expect(lastHour.bad_signature).toBeGreaterThanOrEqual(1);
    expect(
      (await server.request('GET', '/v1/auth-events/stats?window=7d', { token: server.adminToken })).json()
        .buckets,
    ).toHaveLength(28);
    expect(
      (await server.request('GET', '/v1/auth-events/stats?window=1y', { token: server.adminToken }))
        .statusCode,
    ).toBe(400);
  });
});
