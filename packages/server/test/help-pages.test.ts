import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELP_CSP } from '../src/help/help-pages.routes.ts';
import { anonymousSession } from './factories.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';
import { createArticle, createCollection } from './help-factories.ts';

/** No element that runs script, no handler, no script URL: in tags, not in the text shown. */
function expectInert(html: string, where: string): void {
  for (const tag of html.match(/<[^>]*>/g) ?? []) {
    expect(tag, where).not.toMatch(/^<\/?(script|svg|math|iframe|object|embed|style|base|meta http-equiv)/i);
    // Quoted values are data (escapeHtml quotes every one); names and URLs are what run.
    expect(tag.replace(/="[^"]*"/g, '=""'), where).not.toMatch(/\son[a-z]+\s*=/i);
    expect(tag, where).not.toMatch(/(href|src|action)\s*=\s*"\s*(javascript|vbscript|data):/i);
  }
}

/** HELP.md "Surfaces" and "Safety": pages that read without script, and never run any. */
describe.each(DATABASES)('help pages on %s', (kind) => {
  let server: TestServer;
  let collectionId: string;
  let articleId: string;
  const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';

  beforeAll(async () => {
    server = await startTestServer(kind);
    collectionId = await createCollection(server, `Orders ${evil}`);
    articleId = await createArticle(server, {
      collectionId,
      title: `Tracking ${evil}`,
      body: `Where is my parcel? [help](javascript:alert(3)) ${evil}\n\n<svg onload=alert(4)>`,
    });
  });
  afterAll(() => server.close());

  const pages = () => [
    '/help',
    `/help/collections/${collectionId}`,
    `/help/articles/${articleId}`,
    `/help/search?q=${encodeURIComponent(`parcel ${evil}`)}`,
    '/help/articles/no-such-article',
    '/help/auth?ticket=hlt_used',
  ];

  it('every page has the CSP (no script at all), nosniff, no referrer, private caching, and runs nothing', async () => {
    for (const path of pages()) {
      const response = await server.request('GET', path);
      expect(response.headers['content-security-policy'], path).toBe(HELP_CSP);
      expect(HELP_CSP).toContain("default-src 'none'");
      expect(HELP_CSP).not.toMatch(/script-src|unsafe/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['cache-control']).toBe('private, no-store');
      expect(response.headers['content-type']).toContain('text/html');
      expectInert(response.body, path);
    }
  });

  it('reads without JavaScript: home → collection → article, search with marked words', async () => {
    const home = (await server.request('GET', '/help')).body;
    expect(home).toContain(`href="/help/collections/${collectionId}"`);
    expect(home).toContain('Orders &lt;script&gt;');
    expect(home).toContain('1 article');
    const collection = (await server.request('GET', `/help/collections/${collectionId}`)).body;
    expect(collection).toContain(`href="/help/articles/${articleId}"`);
    const article = (await server.request('GET', `/help/articles/${articleId}`)).body;
    expect(article).toContain('<h1>Tracking &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(article).toContain('Where is my parcel?');
    const search = (await server.request('GET', '/help/search?q=parc')).body;
    expect(search).toContain('<mark>parcel</mark>');
    expect(search).toContain('<form action="/help/search" method="get"');
    expect((await server.request('GET', '/help/help.css')).headers['content-type']).toContain('text/css');
  });

  it('the client API gives the body as sanitized HTML', async () => {
    const { sessionToken } = await anonymousSession(server);
    const response = await server.request('GET', `/v1/client/articles/${articleId}`, { token: sessionToken });
    expect(response.statusCode).toBe(200);
    const article = response.json();
    expect(article).toMatchObject({ id: articleId, collectionId, url: `/help/articles/${articleId}` });
    expect(article.html).toContain('Where is my parcel?');
    expectInert(article.html, 'client API');
  });

  it('unknown ids and oversized ones are a 404 page, not an error', async () => {
    for (const path of [
      '/help/collections/nope',
      '/help/articles/nope',
      `/help/articles/${'x'.repeat(300)}`,
    ]) {
      const response = await server.request('GET', path);
      expect(response.statusCode, path).toBe(404);
      expect(response.body).toContain('Not found');
    }
  });
});
