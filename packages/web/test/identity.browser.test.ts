import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../server/src/agents/create-agent.ts';
import { login } from '../../server/test/factories.ts';
import {
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import { type Device, hasChromium, openDevice, until } from '../../widget/test/browser.ts';

/** Identity an admin can see, explain and undo: the token debugger and the user timeline. */
describe.skipIf(!hasChromium)('identity in the agent app, in Chromium', () => {
  let server: TestServer;
  let base: string;
  let key: { kid: string; secret: string };
  const devices: Device[] = [];
  const password = 'correct horse battery';

  const signIn = async (): Promise<Page> => {
    const device = await openDevice();
    devices.push(device);
    const { page } = device;
    await page.goto(base);
    await page.getByLabel('Email').fill('admin@shop.example');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('nav').waitFor();
    return page;
  };

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    base = (await server.listen()).http;
    key = await server.createKey('Web shop');
    await createAgent(server.runtime, { email: 'admin@shop.example', name: 'Ada', role: 'admin', password });
  });
  afterEach(async () => {
    for (const device of devices.splice(0)) await device.close();
  });
  afterAll(() => server.close());

  it('a token signed with a wrong secret: the debugger names the key and says to sign with the UTF-8 bytes; nothing lands in the URL or storage', async () => {
    const forged = await signUserToken({ kid: key.kid, secret: 'not the secret' }, { external_id: 'x1' });
    const page = await signIn();
    await page.getByRole('link', { name: 'Token debugger', exact: true }).click();
    await page.getByLabel('Paste a token (JWT)').fill(forged);
    await page.getByRole('button', { name: 'Inspect' }).click();
    const explanation = page.locator('[data-testid=token-explanation]');
    await explanation.waitFor();
    const text = (await explanation.textContent()) ?? '';
    expect(text).toContain('"Web shop"');
    expect(text).toContain('UTF-8');
    expect(await page.locator('[data-testid=token-valid]').textContent()).toBe('Invalid: bad_signature');
    expect(await page.locator('[data-testid=token-key]').textContent()).toContain(key.kid);
    expect(await page.locator('.checks tr[data-result=fail]').count()).toBeGreaterThan(0);
    expect(await page.locator('.decoded').textContent()).toContain('"external_id": "x1"');
    expect(page.url()).not.toContain(forged.slice(0, 20));
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).not.toContain(forged.slice(0, 20));
  });

  it('a failed auth-log row opens the debugger with its reason in words', async () => {
    await login(server, await signUserToken({ kid: key.kid, secret: 'wrong too' }, { external_id: 'x2' }));
    const page = await signIn();
    await page.getByRole('link', { name: 'Auth log' }).click();
    const row = page.locator('[data-testid=auth-row][data-outcome=bad_signature]').first();
    await row.getByRole('button', { name: 'Explain' }).click();
    const prefill = page.locator('[data-testid=debugger-prefill]');
    await prefill.waitFor();
    const text = (await prefill.textContent()) ?? '';
    expect(text).toContain('bad_signature');
    expect(text).toContain(key.kid);
    expect(text).toContain('x2');
    expect(text).toContain('do not base64-decode it');
    await page.getByLabel('Paste the token for the full report').waitFor();
  });

  it('an anonymous history merged at login shows on the timeline; undoing it previews, restores, and is recorded', async () => {
    const visitor = (await server.request('POST', '/v1/client/sessions', { body: {} })).json();
    await server.request('POST', '/v1/client/messages', {
      token: visitor.sessionToken,
      body: { text: 'Where is my parcel?', clientMessageId: 'm-1' },
    });
    const externalId = uniqueExternalId('mia');
    const loggedIn = (
      await login(
        server,
        await signUserToken(key, { external_id: externalId, name: 'Mia Merged' }),
        visitor.sessionToken,
      )
    ).json();
    expect(loggedIn.mergedAnonymous).toBe(true);

    const page = await signIn();
    await page.locator('[data-testid=conversation-row]', { hasText: 'Mia Merged' }).first().click();
    const panel = page.locator('[data-testid=user-panel]');
    const mergeEntry = panel.locator('[data-testid=timeline-entry][data-kind=merged_in]');
    await mergeEntry.waitFor();
    expect(await mergeEntry.textContent()).toContain(visitor.user.id);
    // The visitor's own history is on the survivor's timeline, marked as a merged user's.
    await panel.locator('[data-testid=timeline-entry]', { hasText: 'merged user' }).first().waitFor();

    await mergeEntry.getByRole('button', { name: 'Undo merge…' }).click();
    const preview = page.locator('[data-testid=unmerge-preview]');
    await preview.waitFor();
    expect(await preview.textContent()).toContain('1 conversation');
    // The preview changed nothing.
    const before = (
      await server.request('GET', `/v1/users/${visitor.user.id}`, { token: server.adminToken })
    ).json();
    expect(before.id).toBe(loggedIn.user.id);

    await preview.getByRole('button', { name: 'Undo the merge' }).click();
    await page.locator('[data-testid=timeline-entry][data-kind=unmerged]').first().waitFor();
    const restored = await until(async () => {
      const user = (
        await server.request('GET', `/v1/users/${visitor.user.id}`, { token: server.adminToken })
      ).json();
      return user.id === visitor.user.id ? user : null;
    }, 'the visitor restored');
    expect(restored.externalId).toBeNull();
  });
});
