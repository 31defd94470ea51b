import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import { type Device, hasChromium, openDevice, Shop, until } from './browser.ts';

/**
 * A host page that calls `loginUser` as it loads, with a token function that answers
 * after a delay (a real backend round trip), while the shopper types at once: the
 * message waits for the login, is stored authenticated, and the bot asks for nothing
 * the token carried.
 */
describe.skipIf(!hasChromium)('the widget while the page’s login is pending', () => {
  let server: TestServer;
  let base: string;
  let key: { kid: string; secret: string };
  const devices: Device[] = [];
  // The shop is its own origin, as on a real site: the messenger talks to the server cross-origin.
  let page = '';
  const shop = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page);
  });
  let shopUrl: string;

  /** The integrator's page: the snippet, then loginUser with a slow token function. */
  const hostPage = (jwt: string, delayMs: number) => `<!doctype html><html><head><meta charset="utf-8">
<script>window.Signet=window.Signet||function(){(Signet.q=Signet.q||[]).push(arguments)};</script>
<script src="${base}/widget.js" async></script></head><body><h1>Shop</h1>
<script>
  window.__tokenCalls = 0;
  Signet('messenger', 'loginUser', function (callback) {
    window.__tokenCalls++;
    setTimeout(function () { callback(${JSON.stringify(jwt)}); }, ${delayMs});
  });
</script></body></html>`;

  const adminGet = async (path: string) =>
    (await server.request('GET', path, { token: server.adminToken })).json();
  const storedMessages = async (externalId: string) => {
    const user = (await adminGet(`/v1/users?externalId=${externalId}`)).data[0];
    if (!user) return [];
    const conversations = (await adminGet(`/v1/conversations?userId=${user.id}`)).data;
    const messages: { author: { type: string }; text: string; authenticated: boolean }[] = [];
    for (const c of conversations)
      messages.push(...(await adminGet(`/v1/conversations/${c.id}/messages`)).data);
    return messages;
  };

  beforeAll(async () => {
    server = await startTestServer('sqlite', {}, { bot: true });
    base = (await server.listen()).http;
    key = await server.createKey();
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/`;
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.close();
  });
  afterAll(async () => {
    shop.close();
    await server.close();
  });

  it('sends the first message through the login, authenticated, and the bot asks for neither name nor email', async () => {
    const device = await openDevice();
    devices.push(device);
    const externalId = uniqueExternalId('host');
    const jwt = await signUserToken(key, {
      external_id: externalId,
      name: 'Ada Lovelace',
      email: `${externalId}@example.com`,
      email_verified: true,
    });
    page = hostPage(jwt, 1500);
    const sessionsCreated: string[] = [];
    device.page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/v1/client/sessions'))
        sessionsCreated.push(request.url());
    });
    await device.page.goto(shopUrl);
    const customer = new Shop(device.page, base);
    await customer.openMessenger();
    await device.page.locator('section.panel textarea').fill('Has my parcel left?');
    await device.page.keyboard.press('Enter');
    // Typed while the token function is still out: nothing is stored yet.
    expect(
      await device.page.evaluate(() => (window as unknown as { __tokenCalls: number }).__tokenCalls),
    ).toBe(1);
    expect(await storedMessages(externalId)).toEqual([]);

    await until(
      async () => (await customer.sentTexts()).includes('Has my parcel left?'),
      'the message stored',
      15_000,
    );
    const botTexts = async () =>
      device.page.locator('[data-testid=message][data-author=bot] .bubble').allTextContents();
    await until(async () => (await botTexts()).length > 0, 'the bot’s greeting');
    await new Promise((r) => setTimeout(r, 500));
    expect((await botTexts()).join('\n')).not.toMatch(/name should we use|email address/i);

    const stored = await storedMessages(externalId);
    expect(stored.filter((m) => m.author.type === 'user')).toEqual([
      expect.objectContaining({ text: 'Has my parcel left?', authenticated: true }),
    ]);
    expect(
      stored
        .filter((m) => m.author.type === 'bot')
        .map((m) => m.text)
        .join('\n'),
    ).not.toMatch(/name should we use|email address/i);
    expect(await device.page.locator('[data-testid=verified]').count()).toBe(1);
    expect(sessionsCreated).toEqual([]);
  });
});
