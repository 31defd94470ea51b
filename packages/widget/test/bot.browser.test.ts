import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { type Device, hasChromium, openDevice, Shop, until } from './browser.ts';

/** The default bot in the widget: durable across reloads, silent after hand-over, names shown as text. */
describe.skipIf(!hasChromium)('the bot in the widget', () => {
  let server: TestServer;
  let base: string;
  const devices: Device[] = [];
  const botTexts = (shop: Shop) =>
    shop.page.locator('[data-testid=message][data-author=bot] .bubble').allTextContents();

  beforeAll(async () => {
    server = await startTestServer('sqlite', { SIGNET_DEMO: '1' }, { bot: true });
    base = (await server.listen()).http;
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.close();
  });
  afterAll(() => server.close());

  it('continues from the same step after a reload, and stays silent after hand-over', async () => {
    const device = await openDevice();
    devices.push(device);
    const shop = new Shop(device.page, base);
    await shop.open();
    await shop.send('Hi, a question about sizes');
    await until(
      async () => (await botTexts(shop)).includes('What name should we use for you?'),
      'the name question',
    );

    await shop.page.reload();
    await shop.openMessenger();
    await until(async () => (await botTexts(shop)).length === 2, 'the same two bot messages after reload');
    await shop.send('<script>window.pwned = 1</script><b>Eve</b>');
    await until(
      async () => (await botTexts(shop)).includes('What email address can we reach you at?'),
      'the email question',
    );
    await shop.send('eve@example.com');
    await until(async () => (await botTexts(shop)).at(-1)?.startsWith('Thanks!'), 'the hand-over');
    const count = (await botTexts(shop)).length;

    await shop.page.reload();
    await shop.openMessenger();
    await shop.send('are you there?');
    await new Promise((r) => setTimeout(r, 500));
    expect(await botTexts(shop)).toHaveLength(count);
    expect(await shop.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await shop.sentTexts()).toContain('<script>window.pwned = 1</script><b>Eve</b>');
  });
});
