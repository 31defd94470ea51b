import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';
import { createArticle, createCollection, helpCookie, setUserTags } from './help-factories.ts';

/**
 * HELP.md "One rule, everywhere": for each kind of viewer, exactly the articles it may
 * read, on every surface: the /help pages (home counts, collection, article, search),
 * the client API (article and search) and the sitemap. Every article shares the word
 * "zebrafish"; each body has a word of its own, which must never reach a viewer who
 * may not read that article.
 */
type Name = 'everyone' | 'signedIn' | 'segment' | 'segmentAny' | 'draft';
type Reader = { token?: string; cookie?: string };

describe.each(DATABASES)('who reads which article, on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  let collectionId: string;
  const ids = {} as Record<Name, string>;
  const names = () => Object.keys(ids) as Name[];
  const secretWord: Record<Name, string> = {
    everyone: 'amberlight',
    signedIn: 'sapphirewing',
    segment: 'garnetcrown',
    segmentAny: 'opalriver',
    draft: 'draftmoon',
  };

  const signedInReader = async (tags: string[], exp?: number): Promise<Reader & { userId: string }> => {
    const claims = { external_id: uniqueExternalId('reader'), tags, ...(exp ? { exp } : {}) };
    const session = (await login(server, await signUserToken(key, claims))).json();
    return {
      token: session.sessionToken,
      cookie: await helpCookie(server, session.sessionToken),
      userId: session.user.id,
    };
  };

  /** Which of our articles this reader reaches through each surface. */
  const surfaces = async (reader: Reader) => {
    const headers: Record<string, string> = reader.cookie ? { cookie: reader.cookie } : {};
    const page: Name[] = [];
    const client: Name[] = [];
    for (const name of names()) {
      const html = await server.request('GET', `/help/articles/${ids[name]}`, { headers });
      if (html.statusCode === 200) page.push(name);
      else expect(html.statusCode).toBe(404);
      if (reader.token) {
        const api = await server.request('GET', `/v1/client/articles/${ids[name]}`, { token: reader.token });
        if (api.statusCode === 200) client.push(name);
      }
    }
    const searchPage = (await server.request('GET', '/help/search?q=zebrafish', { headers })).body;
    const home = (await server.request('GET', '/help', { headers })).body;
    const collectionPage = (await server.request('GET', `/help/collections/${collectionId}`, { headers }))
      .body;
    const clientSearch = reader.token
      ? await server.request('GET', '/v1/client/articles?query=zebrafish', { token: reader.token })
      : undefined;
    const named = (text: string) => names().filter((n) => text.includes(`Title ${n} `));
    const looked = [searchPage, home, collectionPage, clientSearch?.body ?? ''];
    return {
      page,
      client,
      searchPage: named(searchPage),
      collectionPage: named(collectionPage),
      clientSearch: clientSearch?.statusCode === 200 ? named(clientSearch.body) : clientSearch?.statusCode,
      homeCount: Number(/(\d+) articles?/.exec(home)?.[1]),
      // Words of an article this reader cannot open, found anywhere it looked.
      leaked: names().filter((n) => !page.includes(n) && looked.some((t) => t.includes(secretWord[n]))),
    };
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
    collectionId = await createCollection(server, 'Everything');
    const audiences: Record<Name, Record<string, unknown>> = {
      everyone: { audience: { type: 'everyone' } },
      signedIn: { audience: { type: 'signed_in' } },
      segment: { audience: { type: 'segment', tagsAll: ['plan:pro'] } },
      segmentAny: {
        audience: { type: 'segment', tagsAll: ['region:eu'], tagsAny: ['plan:pro', 'plan:team'] },
      },
      draft: { audience: { type: 'everyone' }, status: 'draft' },
    };
    for (const name of Object.keys(audiences) as Name[])
      ids[name] = await createArticle(server, {
        collectionId,
        title: `Title ${name} zebrafish`,
        body: `Zebrafish notes. ${secretWord[name]} is the word of this article.`,
        ...audiences[name],
      });
  });
  afterAll(() => server.close());

  const only = (visible: Name[]) => ({
    page: visible,
    searchPage: visible,
    collectionPage: visible,
    homeCount: visible.length,
    leaked: [],
  });

  it('nobody (no session): everyone articles only; the client API wants a session', async () => {
    expect(await surfaces({})).toMatchObject({ ...only(['everyone']), client: [] });
    expect((await server.request('GET', '/v1/client/articles?query=zebrafish')).statusCode).toBe(401);
    expect((await server.request('GET', `/v1/client/articles/${ids.everyone}`)).statusCode).toBe(401);
  });

  it('an anonymous session: everyone articles only, whatever tags its user has', async () => {
    const device = await anonymousSession(server);
    await setUserTags(server, device.userId, ['plan:pro', 'region:eu']);
    const reader = { token: device.sessionToken, cookie: await helpCookie(server, device.sessionToken) };
    expect(await surfaces(reader)).toMatchObject({
      ...only(['everyone']),
      client: ['everyone'],
      clientSearch: ['everyone'],
    });
  });

  it('signed in without the tags: everyone and signed_in', async () => {
    const reader = await signedInReader(['plan:free']);
    const visible: Name[] = ['everyone', 'signedIn'];
    expect(await surfaces(reader)).toMatchObject({
      ...only(visible),
      client: visible,
      clientSearch: visible,
    });
  });

  it('signed in with the tags: the segments too (all of tagsAll, one of tagsAny)', async () => {
    const pro: Name[] = ['everyone', 'signedIn', 'segment'];
    expect(await surfaces(await signedInReader(['plan:pro']))).toMatchObject({
      ...only(pro),
      client: pro,
      clientSearch: pro,
    });
    const team: Name[] = ['everyone', 'signedIn', 'segmentAny'];
    expect(await surfaces(await signedInReader(['region:eu', 'plan:team']))).toMatchObject({
      ...only(team),
      client: team,
      clientSearch: team,
    });
    // region:eu alone meets tagsAll but none of tagsAny.
    expect((await surfaces(await signedInReader(['region:eu']))).page).toEqual(['everyone', 'signedIn']);
  });

  it('logged out: the old token is refused, its help cookie dies, a new anonymous session reads everyone only', async () => {
    const reader = await signedInReader(['plan:pro']);
    expect((await surfaces(reader)).page).toContain('segment');
    expect((await server.request('POST', '/v1/client/logout', { token: reader.token! })).statusCode).toBe(
      204,
    );
    const after = await server.request('GET', `/help/articles/${ids.signedIn}`, {
      headers: { cookie: reader.cookie! },
    });
    expect(after.statusCode).toBe(404);
    expect(String(after.headers['set-cookie'])).toMatch(/^signet_help=;.*Max-Age=0/);
    expect(await surfaces({ cookie: reader.cookie! })).toMatchObject(only(['everyone']));
    const refused = await server.request('GET', '/v1/client/articles?query=zebrafish', {
      token: reader.token!,
    });
    expect(refused.statusCode).toBe(401);
    const fresh = await anonymousSession(server);
    expect(await surfaces({ token: fresh.sessionToken })).toMatchObject({
      client: ['everyone'],
      clientSearch: ['everyone'],
    });
  });

  it('an ended session (its token expired): nothing private on any surface', async () => {
    const reader = await signedInReader(['plan:pro', 'region:eu'], Math.floor(Date.now() / 1000) + 120);
    expect((await surfaces(reader)).page).toContain('segment');
    const realNow = server.runtime.now;
    server.runtime.now = () => realNow() + 10 * 60_000;
    try {
      const seen = await surfaces(reader);
      expect(seen).toMatchObject(only(['everyone']));
      // IDENTITY.md §7: the client API refuses the ended session outright.
      expect(seen.client).toEqual([]);
      expect(seen.clientSearch).toBe(401);
      const refused = await server.request('GET', `/v1/client/articles/${ids.everyone}`, {
        token: reader.token!,
      });
      expect(refused.json().error.code).toBe('session_expired');
    } finally {
      server.runtime.now = realNow;
    }
  });

  it('the sitemap lists everyone articles only, whoever asks; private pages carry noindex', async () => {
    const reader = await signedInReader(['plan:pro']);
    for (const headers of [{}, { cookie: reader.cookie! }] as Record<string, string>[]) {
      const sitemap = await server.request('GET', '/help/sitemap.xml', { headers });
      expect(sitemap.headers['content-type']).toContain('xml');
      expect(names().filter((n) => sitemap.body.includes(ids[n]))).toEqual(['everyone']);
    }
    const privatePage = await server.request('GET', `/help/articles/${ids.segment}`, {
      headers: { cookie: reader.cookie! },
    });
    expect(privatePage.body).toContain('<meta name="robots" content="noindex">');
    expect(privatePage.headers['x-robots-tag']).toBe('noindex');
    const publicPage = await server.request('GET', `/help/articles/${ids.everyone}`);
    expect(publicPage.body).not.toContain('noindex');
  });
});
