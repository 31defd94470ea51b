import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import { type Device, hasChromium, openDevice, Shop, until } from './browser.ts';

/** A long history in the widget: the newest messages first, older ones as the customer scrolls up. */
describe.skipIf(!hasChromium)('older messages in the widget', () => {
  let server: TestServer;
  let base: string;
  let device: Device | undefined;
  let key: { kid: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer('sqlite', { SIGNET_DEMO: '1' });
    base = (await server.listen()).http;
    key = await server.createKey('shop backend');
  });
  afterAll(async () => {
    await device?.close();
    await server.close();
  });

  it('loads older messages when scrolled to the top, keeping the view where it was', async () => {
    device = await openDevice();
    const shop = new Shop(device.page, base, (customer) =>
      signUserToken(key, { external_id: customer.externalId, name: customer.name ?? null }),
    );
    await shop.open();
    const externalId = uniqueExternalId('long');
    await shop.logIn({ externalId, name: 'Long Talker' });
    await shop.send('the very first message');
    const user = (
      await server.request('GET', `/v1/users?externalId=${externalId}`, { token: server.agentToken })
    ).json().data[0];
    const conversation = (
      await server.request('GET', `/v1/conversations?userId=${user.id}`, { token: server.agentToken })
    ).json().data[0];
    for (let i = 1; i < 120; i++)
      await server.request('POST', `/v1/conversations/${conversation.id}/messages`, {
        token: server.agentToken,
        body: { text: `reply ${i}` },
      });

    await shop.page.reload();
    await shop.openMessenger();
    const count = () => shop.page.locator('[data-testid=message]').count();
    await until(async () => (await count()) === 50, 'the newest 50');
    expect(await shop.page.locator('[data-testid=message] .bubble').first().textContent()).toBe('reply 70');

    const log = shop.page.locator('[data-testid=log]');
    const scrollToTop = () => log.evaluate((element) => element.scrollTo({ top: 0 }));
    await scrollToTop();
    await until(async () => (await count()) === 100, '50 older ones');
    const position = await log.evaluate((e) => ({
      top: e.scrollTop,
      below: e.scrollHeight - e.scrollTop - e.clientHeight,
    }));
    // Still looking at what was on top before (not thrown to the top or the bottom).
    expect(position.top).toBeGreaterThan(300);
    expect(position.below).toBeGreaterThan(300);
    await scrollToTop();
    await until(async () => (await count()) === 120, 'the rest');
    const texts = await shop.page.locator('[data-testid=message] .bubble').allTextContents();
    expect(texts[0]).toBe('the very first message');
    expect(texts).toEqual([
      'the very first message',
      ...Array.from({ length: 119 }, (_, i) => `reply ${i + 1}`),
    ]);
    await scrollToTop();
    await new Promise((r) => setTimeout(r, 300));
    expect(await count()).toBe(120);
  });
});
