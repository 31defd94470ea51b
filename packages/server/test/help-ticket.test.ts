import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousSession, login } from './factories.ts';
import {
  DATABASES,
  leakedSecrets,
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from './harness.ts';
import { createArticle, createCollection, setUserTags } from './help-factories.ts';

/** HELP.md "Same session, no second sign-on": the one-time ticket and the help cookie. */
describe.each(DATABASES)('help tickets on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  let privateId: string;
  let publicId: string;

  const signedIn = async () => {
    const session = (
      await login(server, await signUserToken(key, { external_id: uniqueExternalId() }))
    ).json();
    await setUserTags(server, session.user.id, ['plan:pro']);
    return session.sessionToken as string;
  };
  const ticketUrl = async (sessionToken: string, articleId?: string) => {
    const response = await server.request('POST', '/v1/client/help-ticket', {
      token: sessionToken,
      body: articleId ? { articleId } : {},
    });
    expect(response.statusCode, response.body).toBe(200);
    const url = new URL(response.json().url);
    expect(url.pathname).toBe('/help/auth');
    return url.pathname + url.search;
  };
  const exchange = (path: string) => server.request('GET', path);
  const cookieOf = (response: { headers: Record<string, unknown> }) =>
    String(response.headers['set-cookie']).split(';')[0]!;

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
    const collectionId = await createCollection(server);
    privateId = await createArticle(server, {
      collectionId,
      title: 'Pro only',
      body: 'for pros',
      audience: { type: 'segment', tagsAll: ['plan:pro'] },
    });
    publicId = await createArticle(server, { collectionId, title: 'Public', body: 'for all' });
  });
  afterAll(() => server.close());

  it('exchanges once for an HttpOnly cookie on /help, then redirects to the article', async () => {
    const token = await signedIn();
    const path = await ticketUrl(token, privateId);
    const first = await exchange(path);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`/help/articles/${privateId}`);
    expect(String(first.headers['set-cookie'])).toMatch(
      /^signet_help=hlc_[\w-]+; Path=\/help; HttpOnly; SameSite=Lax/,
    );
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    const page = await server.request('GET', `/help/articles/${privateId}`, {
      headers: { cookie: cookieOf(first) },
    });
    expect(page.statusCode).toBe(200);

    const again = await exchange(path);
    expect(again.statusCode).toBe(400);
    expect(again.headers['set-cookie']).toBeUndefined();

    // Neither the ticket nor the cookie reaches a log line.
    server.secrets.add(new URLSearchParams(path.split('?')[1]).get('ticket')!);
    server.secrets.add(cookieOf(first).split('=')[1]!);
    expect(server.logs.join('')).toContain('/help/articles/');
    expect(leakedSecrets(server)).toEqual([]);
  });

  it('expires after 60 seconds', async () => {
    const token = await signedIn();
    const late = await ticketUrl(token);
    const inTime = await ticketUrl(token);
    const realNow = server.runtime.now;
    try {
      server.runtime.now = () => realNow() + 59_000;
      expect((await exchange(inTime)).statusCode).toBe(303);
      server.runtime.now = () => realNow() + 61_000;
      expect((await exchange(late)).statusCode).toBe(400);
    } finally {
      server.runtime.now = realNow;
    }
  });

  it('is bound to its session: the cookie reads as that session, and dies with it', async () => {
    const pro = await signedIn();
    const anonymous = (await anonymousSession(server)).sessionToken;
    const proCookie = cookieOf(await exchange(await ticketUrl(pro)));
    const anonCookie = cookieOf(await exchange(await ticketUrl(anonymous)));
    const read = (cookie: string) =>
      server.request('GET', `/help/articles/${privateId}`, { headers: { cookie } }).then((r) => r.statusCode);
    expect(await read(proCookie)).toBe(200);
    expect(await read(anonCookie)).toBe(404);

    // A ticket whose session ended before it was spent gives nothing.
    const pending = await ticketUrl(pro);
    await server.request('POST', '/v1/client/logout', { token: pro });
    expect((await exchange(pending)).statusCode).toBe(400);
    expect(await read(proCookie)).toBe(404);
    // The pass is gone: the cookie stays dead even for public pages' viewer lookups.
    const publicPage = await server.request('GET', `/help/articles/${publicId}`, {
      headers: { cookie: proCookie },
    });
    expect(publicPage.statusCode).toBe(200);
    expect(String(publicPage.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('refuses what it should: no session (401), an article the session may not read (404), junk tickets (400)', async () => {
    expect((await server.request('POST', '/v1/client/help-ticket', { body: {} })).statusCode).toBe(401);
    const anonymous = (await anonymousSession(server)).sessionToken;
    const hidden = await server.request('POST', '/v1/client/help-ticket', {
      token: anonymous,
      body: { articleId: privateId },
    });
    expect(hidden.statusCode).toBe(404);
    for (const ticket of ['', 'hlt_nope', 'x'.repeat(150), 'hlc_abc', '%00'])
      expect((await exchange(`/help/auth?ticket=${ticket}`)).statusCode).toBe(400);
    expect((await exchange('/help/auth')).statusCode).toBe(400);
    const forged = await server.request('GET', `/help/articles/${privateId}`, {
      headers: { cookie: 'signet_help=hlc_forged' },
    });
    expect(forged.statusCode).toBe(404);
  });
});
