import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import { type Device, hasChromium, Shop, type ShopCustomer, until } from './browser.ts';

/**
 * The messenger in a real Chromium, on the demo shop, against a real server: what a
 * customer sees, and what an integrator wires up with the host-page API.
 */
describe.skipIf(!hasChromium)('the widget in Chromium', () => {
  const env = { SIGNET_DEMO: '1', SIGNET_MASTER_KEY: randomBytes(32).toString('hex') };
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-browser-'));
  let server: TestServer;
  let base: string;
  let key: { kid: string; secret: string };
  const devices: Device[] = [];
  /** The shop's backend: signs for whoever the shop says is logged in. */
  const backend = (customer: ShopCustomer) =>
    signUserToken(key, {
      external_id: customer.externalId,
      ...(customer.name ? { name: customer.name } : {}),
      ...(customer.email ? { email: customer.email, email_verified: true } : {}),
      exp: Math.floor(Date.now() / 1000) + (customer.expiresIn ?? 3600),
    });
  const device = () => Shop.onNewDevice(devices, base, backend);
  const userByExternalId = async (externalId: string) =>
    (await server.request('GET', `/v1/users?externalId=${externalId}`, { token: server.agentToken })).json()
      .data[0];
  const agentReply = async (externalId: string, text: string) => {
    const user = await userByExternalId(externalId);
    const conversations = (
      await server.request('GET', `/v1/conversations?userId=${user.id}`, { token: server.agentToken })
    ).json();
    return server.request('POST', `/v1/conversations/${conversations.data[0].id}/messages`, {
      token: server.agentToken,
      body: { text },
    });
  };

  beforeAll(async () => {
    server = await startTestServer('sqlite', env, { dataDir });
    base = (await server.listen()).http;
    key = await server.createKey('shop backend');
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.close();
  });
  afterAll(() => server.close());

  it('anonymous chat, then login: same conversation with the user’s name; a second device sees it live', async () => {
    const shop = await device();
    await shop.send('Do you ship to Norway?');
    const externalId = uniqueExternalId('shopper');
    await shop.logIn({ externalId, name: 'Ada Lovelace', email: `${externalId}@example.com` });
    await until(async () => (await userByExternalId(externalId))?.name === 'Ada Lovelace', 'the login');
    await shop.send('Order 1234, by the way');
    expect(await shop.sentTexts()).toEqual(['Do you ship to Norway?', 'Order 1234, by the way']);
    await until(
      () => shop.page.locator('[data-testid=verified]').count(),
      'a check mark on the authenticated message',
    );

    const user = await userByExternalId(externalId);
    expect(user).toMatchObject({
      name: 'Ada Lovelace',
      email: `${externalId}@example.com`,
      authenticated: true,
    });
    const conversations = (
      await server.request('GET', `/v1/conversations?userId=${user.id}`, { token: server.agentToken })
    ).json();
    expect(conversations.data).toHaveLength(1);

    const second = await device();
    await second.logIn({ externalId, name: 'Ada Lovelace' });
    await second.openMessenger();
    await until(async () => (await second.sentTexts()).length === 2, 'history on the second device');
    await agentReply(externalId, 'Yes, we ship to Norway.');
    for (const s of [shop, second]) {
      await until(async () => (await s.sentTexts()).includes('Yes, we ship to Norway.'), 'the live reply');
    }
    await shop.screenshot('widget-open.png');
  });

  it('a reload after login keeps the user and the history, and creates nothing new', async () => {
    const shop = await device();
    const externalId = uniqueExternalId('reload');
    await shop.logIn({ externalId, name: 'Grace Hopper' });
    await shop.send('Where is my parcel?');
    const before = await userByExternalId(externalId);
    await shop.page.reload();
    await shop.openMessenger();
    await until(async () => (await shop.sentTexts()).includes('Where is my parcel?'), 'history after reload');
    const after = await userByExternalId(externalId);
    expect(after.id).toBe(before.id);
    const conversations = (
      await server.request('GET', `/v1/conversations?userId=${after.id}`, { token: server.agentToken })
    ).json();
    expect(conversations.data).toHaveLength(1);
  });

  it('logout shows an empty anonymous conversation; logging in again restores the history', async () => {
    const shop = await device();
    const externalId = uniqueExternalId('logout');
    await shop.logIn({ externalId, name: 'Alan Turing' });
    await shop.send('Keep this for me');
    await shop.logOut();
    await until(async () => (await shop.sentTexts()).length === 0, 'an empty conversation');
    await shop.page.reload();
    await shop.openMessenger();
    expect(await shop.sentTexts()).toEqual([]);
    await shop.logIn({ externalId, name: 'Alan Turing' });
    await until(
      async () => (await shop.sentTexts()).includes('Keep this for me'),
      'history after logging in again',
    );
  });

  it('when the page logs in user B after user A, B never sees A’s messages', async () => {
    const shop = await device();
    await shop.logIn({ externalId: uniqueExternalId('a'), name: 'User A' });
    await shop.send('A’s private question');
    const b = uniqueExternalId('b');
    await shop.logIn({ externalId: b, name: 'User B' });
    await until(async () => (await userByExternalId(b))?.authenticated, 'B logged in');
    await until(async () => (await shop.sentTexts()).length === 0, 'B’s empty history');
    await shop.page.reload();
    await shop.openMessenger();
    // Once B's own message shows, the history has loaded: it must hold B's alone.
    await shop.send('b here');
    expect(await shop.sentTexts()).toEqual(['b here']);
  });

  it('asks the page for a fresh token when the current one nears expiry, without a visible break', async () => {
    const shop = await device();
    const externalId = uniqueExternalId('expiry');
    await shop.logIn({ externalId, name: 'Short Lived', expiresIn: 62 });
    await shop.send('first');
    await until(
      () => shop.page.evaluate(() => (window as unknown as { __tokenRequests: number }).__tokenRequests >= 2),
      'a second token',
      15_000,
    );
    await shop.send('after the refresh');
    const texts = await shop.sentTexts();
    expect(texts).toEqual(['first', 'after the refresh']);
    expect(await shop.page.locator('[data-testid=verified]').count()).toBe(2);
  });

  it('reconnects after a server restart and shows what was sent meanwhile', async () => {
    const shop = await device();
    const externalId = uniqueExternalId('restart');
    await shop.logIn({ externalId, name: 'Restart Tester' });
    await shop.send('before the restart');
    const port = Number(new URL(base).port);
    await server.close();
    await until(() => shop.page.locator('.status').isVisible(), 'the offline notice');
    server = await startTestServer('sqlite', env, { dataDir });
    await server.listen(port);
    await agentReply(externalId, 'sent while the server was away');
    await until(
      async () => (await shop.sentTexts()).includes('sent while the server was away'),
      'the missed reply',
      20_000,
    );
    await until(async () => !(await shop.page.locator('.status').isVisible()), 'back online');
  });

  it('shows an unread badge and tells the page, and reports a failed login to the page', async () => {
    const shop = await device();
    const externalId = uniqueExternalId('badge');
    await shop.logIn({ externalId, name: 'Badge' });
    await shop.send('hello');
    await shop.page.locator('section.panel button[aria-label="Close messages"]').click();
    await agentReply(externalId, 'a reply while closed');
    await until(
      async () => (await shop.page.locator('[data-testid=badge]').textContent()) === '1',
      'the badge',
    );
    expect(await shop.page.locator('#unread').textContent()).toBe('Support (1)');
    await shop.openMessenger();
    await until(
      async () => (await shop.page.locator('[data-testid=badge]').count()) === 0,
      'the badge cleared',
    );

    await shop.page.evaluate(() => {
      const signet = (window as unknown as { Signet: (...args: unknown[]) => void }).Signet;
      signet(
        'messenger',
        'loginUser',
        (callback: (jwt: string) => void) => callback('not.a.jwt'),
        (reason: string) => {
          document.title = `failed: ${reason}`;
        },
      );
    });
    await until(async () => (await shop.page.title()) === 'failed: malformed', 'the failure callback');

    // messenger:set locale, hide and show, through the same host-page API.
    const signet = (...args: unknown[]) =>
      shop.page.evaluate(
        (a) => (window as unknown as { Signet: (...x: unknown[]) => void }).Signet(...a),
        args,
      );
    await signet('messenger', 'close');
    await signet('messenger:set', 'locale', 'fr-CA');
    await until(
      async () =>
        (await shop.page.locator('button.launcher').getAttribute('aria-label')) === 'Ouvrir les messages',
      'French',
    );
    await signet('messenger', 'hide');
    await until(async () => (await shop.page.locator('button.launcher').count()) === 0, 'hidden');
    await signet('messenger', 'show');
    await signet('messenger', 'open');
    await shop.page.locator('section.panel').waitFor();
    await shop.page.locator('section.panel textarea').click();
    await shop.page.keyboard.press('Escape');
    await until(async () => (await shop.page.locator('section.panel').count()) === 0, 'closed with Escape');
  });
});
