import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';
import { createArticle, createCollection, setUserTags } from './help-factories.ts';

describe.each(DATABASES)('help center admin API on %s', (kind) => {
  let server: TestServer;
  const admin = () => ({ token: server.adminToken });

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it('collections: create, list in position order, rename, delete only when empty', async () => {
    const second = await server.request('POST', '/v1/collections', {
      ...admin(),
      body: { title: 'B', position: 2 },
    });
    const first = await server.request('POST', '/v1/collections', {
      ...admin(),
      body: { title: 'A', position: 1 },
    });
    expect(second.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ title: 'A', description: '', position: 1 });
    const list = (await server.request('GET', '/v1/collections', admin())).json().data;
    expect(list.map((c: { title: string }) => c.title)).toEqual(['A', 'B']);
    const renamed = await server.request('PATCH', `/v1/collections/${first.json().id}`, {
      ...admin(),
      body: { title: 'Account' },
    });
    expect(renamed.json()).toMatchObject({ id: first.json().id, title: 'Account', position: 1 });

    await createArticle(server, { collectionId: second.json().id, title: 'Inside B' });
    const refused = await server.request('DELETE', `/v1/collections/${second.json().id}`, admin());
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('collection_not_empty');
    expect((await server.request('DELETE', `/v1/collections/${first.json().id}`, admin())).statusCode).toBe(
      204,
    );
    expect((await server.request('DELETE', `/v1/collections/${first.json().id}`, admin())).statusCode).toBe(
      404,
    );
  });

  it('articles: draft by default, audience normalized, publishedAt set on publish, 404 for unknown ids', async () => {
    const collectionId = await createCollection(server, 'Plans');
    const created = await server.request('POST', '/v1/articles', {
      ...admin(),
      body: {
        collectionId,
        title: 'Pro features',
        body: '# Pro\n\nAll of it.',
        audience: { type: 'segment', tagsAll: ['Plan:Pro', 'plan:pro'], tagsAny: [] },
      },
    });
    expect(created.statusCode).toBe(201);
    const article = created.json();
    expect(article).toMatchObject({
      status: 'draft',
      publishedAt: null,
      audience: { type: 'segment', tagsAll: ['plan:pro'], tagsAny: [] },
    });
    const published = await server.request('PATCH', `/v1/articles/${article.id}`, {
      ...admin(),
      body: { status: 'published' },
    });
    expect(published.json().publishedAt).not.toBeNull();
    expect(published.json().audience).toEqual(article.audience);
    expect((await server.request('GET', `/v1/articles/${article.id}`, admin())).json().body).toBe(
      '# Pro\n\nAll of it.',
    );
    const listed = (await server.request('GET', `/v1/articles?collectionId=${collectionId}`, admin())).json();
    expect(listed.data.map((a: { id: string }) => a.id)).toEqual([article.id]);
    const found = (await server.request('GET', '/v1/articles?query=pro', admin())).json();
    expect(found.data.map((a: { id: string }) => a.id)).toContain(article.id);

    for (const id of ['nope', '01890000-0000-7000-8000-000000000000', 'x'.repeat(300)]) {
      expect((await server.request('GET', `/v1/articles/${id}`, admin())).statusCode).toBe(404);
      expect(
        (await server.request('PATCH', `/v1/articles/${id}`, { ...admin(), body: { title: 'x' } }))
          .statusCode,
      ).toBe(404);
      expect((await server.request('DELETE', `/v1/articles/${id}`, admin())).statusCode).toBe(404);
    }
    expect((await server.request('DELETE', `/v1/articles/${article.id}`, admin())).statusCode).toBe(204);
    expect((await server.request('GET', `/v1/articles/${article.id}`, admin())).statusCode).toBe(404);
  });

  it('bad input is a 400 with a stable code; no credential is a 401', async () => {
    const collectionId = await createCollection(server, 'Bad input');
    for (const body of [
      { collectionId, title: '' },
      { collectionId, title: 'x'.repeat(256) },
      { collectionId, title: 'ok', status: 'archived' },
      { collectionId, title: 'ok', audience: { type: 'staff' } },
      { collectionId, title: 'ok', audience: { type: 'segment', tagsAll: ['has space'] } },
      {
        collectionId,
        title: 'ok',
        audience: { type: 'segment', tagsAll: Array.from({ length: 51 }, (_, i) => `t${i}`) },
      },
      { collectionId, title: 'ok', extra: 1 },
      { title: 'no collection' },
    ]) {
      const response = await server.request('POST', '/v1/articles', { ...admin(), body });
      expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
    const unknown = await server.request('POST', '/v1/articles', {
      ...admin(),
      body: { collectionId: 'nope', title: 'x' },
    });
    expect(unknown.statusCode).toBe(404);
    expect((await server.request('GET', '/v1/articles')).statusCode).toBe(401);
    expect((await server.request('POST', '/v1/collections', { body: { title: 'x' } })).statusCode).toBe(401);
  });

  it('check-access says whether this customer can read it now, and why', async () => {
    const key = await server.createKey();
    const collectionId = await createCollection(server, 'Access');
    const pro = await createArticle(server, {
      collectionId,
      title: 'Pro',
      audience: { type: 'segment', tagsAll: ['plan:pro'] },
    });
    const draft = await createArticle(server, { collectionId, title: 'Draft', status: 'draft' });
    const check = async (articleId: string, userId: string) =>
      (
        await server.request('POST', `/v1/articles/${articleId}/check-access`, {
          ...admin(),
          body: { userId },
        })
      ).json();

    const visitor = await anonymousSession(server);
    expect(await check(pro, visitor.userId)).toEqual({ canRead: false, reason: 'not signed in now' });
    const session = (
      await login(server, await signUserToken(key, { external_id: uniqueExternalId(), tags: ['plan:free'] }))
    ).json();
    await setUserTags(server, session.user.id, ['plan:free']);
    expect(await check(pro, session.user.id)).toEqual({ canRead: false, reason: 'lacks tag plan:pro' });
    await setUserTags(server, session.user.id, ['plan:pro']);
    expect(await check(pro, session.user.id)).toMatchObject({ canRead: true });
    expect(await check(draft, session.user.id)).toEqual({ canRead: false, reason: 'not published' });
    await server.request('POST', '/v1/client/logout', { token: session.sessionToken });
    expect(await check(pro, session.user.id)).toEqual({ canRead: false, reason: 'not signed in now' });

    const unknownUser = await server.request('POST', `/v1/articles/${pro}/check-access`, {
      ...admin(),
      body: { userId: 'nobody' },
    });
    expect(unknownUser.statusCode).toBe(404);
  });

  it('preview renders the body as readers get it, sanitized', async () => {
    const response = await server.request('POST', '/v1/articles/preview', {
      ...admin(),
      body: { body: '**bold** <script>alert(1)</script> [x](javascript:alert(1))' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().html).toContain('<strong>bold</strong>');
    expect(response.json().html).not.toMatch(/<script|href="javascript/);
    expect((await server.request('POST', '/v1/articles/preview', { body: { body: 'x' } })).statusCode).toBe(
      401,
    );
  });

  it('every help route is in the OpenAPI document with its schemas', async () => {
    const doc = (await server.request('GET', '/openapi.json')).json();
    for (const path of [
      '/v1/collections',
      '/v1/collections/{id}',
      '/v1/articles',
      '/v1/articles/{id}',
      '/v1/articles/{id}/check-access',
      '/v1/client/articles',
      '/v1/client/articles/{id}',
      '/v1/client/help-ticket',
    ])
      expect(doc.paths[path], path).toBeDefined();
    expect(doc.paths['/v1/articles'].post.requestBody).toBeDefined();
    expect(doc.paths['/v1/articles/{id}'].get.responses['200']).toBeDefined();
  });
});
