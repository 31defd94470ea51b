import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DATABASES,
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import { createArticle, createCollection, setUserTags } from '../../server/test/help-factories.ts';
import {
  type Articles,
  claimsFor,
  MATRIX,
  seedArticles,
  TAG,
  type ViewerState,
} from '../../server/test/help-matrix.ts';
import { type Device, hasChromium, Shop, type ShopCustomer, until } from './browser.ts';

/**
 * The messenger's Help view in a real Chromium: search as you type, read in place, open
 * in the help center signed in. What the session may read decides what it sees, and a
 * logout takes the signed-in article away. The widget's own cells of the visibility
 * matrix (server/test/help-matrix.ts) are checked here for the states a shopper reaches
 * in the shop; the client package's help-matrix.test.ts checks every state.
 */
describe.skipIf(!hasChromium).each(DATABASES)('the messenger’s Help view in Chromium on %s', (kind) => {
  const env = { SIGNET_DEMO: '1', SIGNET_MASTER_KEY: randomBytes(32).toString('hex') };
  let server: TestServer;
  let base: string;
  let key: { kid: string; secret: string };
  let publicId: string;
  let privateId: string;
  const devices: Device[] = [];
  let matrix: Articles;
  /** The tags the shop's backend signs for a customer, by external id (none unless set). */
  const tagsOf = new Map<string, unknown>();
  const backend = (customer: ShopCustomer) =>
    signUserToken(key, {
      external_id: customer.externalId,
      ...(customer.name ? { name: customer.name } : {}),
      ...(tagsOf.has(customer.externalId) ? { tags: tagsOf.get(customer.externalId) } : {}),
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
  const device = () => Shop.onNewDevice(devices, base, backend);
  const openHelp = async (shop: Shop) => {
    await shop.openMessenger();
    await shop.page.click('[data-testid=tab-help]');
    await shop.page.locator('[data-testid=help] input').waitFor();
  };
  const search = (shop: Shop, query: string) => shop.page.fill('[data-testid=help] input', query);
  const hitIds = (shop: Shop) =>
    shop.page
      .locator('[data-testid=hit]')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-id')));
  /** What this device's own session gets from the client API (its token from the widget's storage). */
  const asDevice = (shop: Shop, path: string) =>
    shop.page.evaluate(
      async ([url, path]) => {
        const token = localStorage.getItem(`signet:session:${url}`);
        const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        return { status: response.status, body: await response.json() };
      },
      [base, path] as const,
    );

  /** The name in the messenger's header once the device is signed in; null when it is not. */
  const whoIsIn = async (shop: Shop) => {
    const who = shop.page.locator('header .who');
    return (await who.count()) === 0 ? null : await who.textContent();
  };
  /**
   * The Help view shows the matrix's messenger cell for `state`: a search for "zebrafish"
   * lists exactly those articles, each opens in place, and nothing of the others is ever
   * on screen.
   */
  const showsRow = async (shop: Shop, state: ViewerState) => {
    const cell = MATRIX[state].messenger;
    if (!Array.isArray(cell)) throw new Error(`${state}: the messenger reads as a session, never refused`);
    const expected = cell.map((a) => matrix.ids[a]).sort();
    await search(shop, 'zebrafish');
    // Wait for that answer; if it never comes, the assertion below shows what came instead.
    await until(
      async () => JSON.stringify((await hitIds(shop)).sort()) === JSON.stringify(expected),
      `${state}: the row's articles`,
    ).catch(() => undefined);
    expect((await hitIds(shop)).sort()).toEqual(expected);
    const shown = [await shop.page.locator('[data-testid=help]').innerHTML()];
    for (const audience of cell) {
      await shop.page.click(`[data-testid=hit][data-id="${matrix.ids[audience]}"]`);
      const title = shop.page.locator('[data-testid=article] h3');
      await until(async () => (await title.count()) === 1, `${state}: the ${audience} article open`);
      expect(await title.textContent()).toBe(matrix.title[audience]);
      shown.push(await shop.page.locator('[data-testid=help]').innerHTML());
      await shop.page.click('[data-testid=help] button.back');
      await shop.page.locator('[data-testid=help] input').waitFor();
    }
    expect(matrix.told(shown.join('\n')).filter((a) => !cell.includes(a))).toEqual([]);
  };

  beforeAll(async () => {
    server = await startTestServer(kind, env);
    base = (await server.listen()).http;
    key = await server.createKey('shop backend');
    const collectionId = await createCollection(server, 'Orders');
    publicId = await createArticle(server, {
      collectionId,
      title: 'Shipping quokkas abroad',
      body: 'We ship quokkas to **Norway** and everywhere else.',
      audience: { type: 'everyone' },
    });
    privateId = await createArticle(server, {
      collectionId,
      title: 'Your quokka history',
      body: 'Signed-in customers see every quokka, [tracked](https://example.com/track).\n\n<script>alert(1)</script>',
      audience: { type: 'signed_in' },
    });
    matrix = await seedArticles(server);
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.close();
  });
  afterAll(() => server.close());

  it('a signed-in shopper finds and reads the signed-in article; after logout it is gone', async () => {
    const shop = await device();
    const externalId = uniqueExternalId('reader');
    await shop.logIn({ externalId, name: 'Grace Hopper' });
    await openHelp(shop);
    await until(
      async () => (await shop.page.locator('header .who').textContent()) === 'Grace Hopper',
      'login',
    );
    await search(shop, 'quok');
    await until(async () => (await hitIds(shop)).length === 2, 'both articles found');
    expect(new Set(await hitIds(shop))).toEqual(new Set([publicId, privateId]));
    const snippet = shop.page.locator(`[data-testid=hit][data-id="${privateId}"] mark`);
    expect((await snippet.first().textContent())?.toLowerCase()).toBe('quokka');
    await shop.screenshot('help-search.png');

    await shop.page.click(`[data-testid=hit][data-id="${privateId}"]`);
    const article = shop.page.locator('[data-testid=article]');
    await article.waitFor();
    expect(await article.locator('h3').textContent()).toBe('Your quokka history');
    expect(await article.locator('.article-body a').getAttribute('target')).toBe('_blank');
    expect(await article.locator('script').count()).toBe(0);
    await shop.screenshot('help-article.png');

    // Opened signed in, through the one-time link: the help center shows the signed-in article.
    const [tab] = await Promise.all([
      shop.page.context().waitForEvent('page'),
      shop.page.click('text=Open in the help center'),
    ]);
    await until(
      async () => (await tab.content()).includes('Your quokka history'),
      'the article in the help center',
    );
    expect(new URL(tab.url()).pathname).not.toBe('/help/auth');
    await tab.close();

    // Logging out ends that session: the open article and the search result both go.
    await shop.logOut();
    await until(async () => (await article.count()) === 0, 'the article closed after logout');
    await search(shop, 'quokka');
    await until(async () => {
      const ids = await hitIds(shop);
      return ids.length === 1 && ids[0] === publicId;
    }, 'only the public article');

    await shop.page.click('text=Chat with us');
    await shop.page.locator('section.panel textarea').waitFor();
  });

  it('another anonymous device neither lists nor reads the signed-in article', async () => {
    const shop = await device();
    await openHelp(shop);
    await until(async () => (await hitIds(shop)).includes(publicId), 'the readable articles listed');
    expect(await hitIds(shop)).not.toContain(privateId);
    // Typed key by key, faster than the debounce: one search for the whole word, not one per key.
    const searches: string[] = [];
    shop.page.on('request', (request) => {
      const asked = new URL(request.url());
      if (asked.pathname === '/v1/client/articles') searches.push(asked.searchParams.get('query') ?? '');
    });
    await shop.page.locator('[data-testid=help] input').pressSequentially('quokka history', { delay: 40 });
    await until(async () => (await shop.page.locator('.help .empty').count()) === 1, 'no results');
    expect(searches).toEqual(['quokka history']);

    const read = await asDevice(shop, `/v1/client/articles/${privateId}`);
    expect(read.status).toBe(404);
    const listed = await asDevice(shop, '/v1/client/articles?query=quokka');
    expect(listed.body.data.map((a: { id: string }) => a.id)).toEqual([publicId]);
    expect((await asDevice(shop, `/v1/client/articles/${publicId}`)).status).toBe(200);
  });

  it('matrix rows anonymous (its user tagged), then signed in with the tag, then logged out', async () => {
    const shop = await device();
    await openHelp(shop);
    const session = await until(async () => {
      const answer = await asDevice(shop, '/v1/client/session');
      return answer.status === 200 && answer.body;
    }, 'the anonymous session');
    await setUserTags(server, session.user.id, [TAG]);
    await showsRow(shop, 'anonymous');

    const externalId = uniqueExternalId('tagged');
    tagsOf.set(externalId, claimsFor('withTag').tags);
    await shop.logIn({ externalId, name: 'Ada Tagged' });
    await until(async () => (await whoIsIn(shop)) === 'Ada Tagged', 'login');
    await showsRow(shop, 'withTag');

    await shop.logOut();
    await until(async () => (await whoIsIn(shop)) === null, 'logout');
    await showsRow(shop, 'loggedOut');
  });

  it('matrix row signed in without the tag', async () => {
    const shop = await device();
    const externalId = uniqueExternalId('untagged');
    tagsOf.set(externalId, claimsFor('withoutTag').tags);
    await shop.logIn({ externalId, name: 'Bo Untagged' });
    await openHelp(shop);
    await until(async () => (await whoIsIn(shop)) === 'Bo Untagged', 'login');
    await showsRow(shop, 'withoutTag');
  });
});
