import { anonymousSession, login } from './factories.ts';
import { type Claims, signUserToken, type TestServer, uniqueExternalId } from './harness.ts';
import { createArticle, createCollection, helpCookie, setUserTags } from './help-factories.ts';

/**
 * HELP.md "One rule, everywhere" as one table: for each kind of viewer and each surface,
 * which of the three audiences it reaches, or the 401 code that refuses it. The server's
 * columns are asserted by help-matrix.test.ts, the messenger's by the client package's
 * help-matrix.test.ts; both build their viewers from the states below.
 */
export const AUDIENCES = ['everyone', 'signed_in', 'segment'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const STATES = ['noSession', 'anonymous', 'withoutTag', 'withTag', 'ended', 'loggedOut'] as const;
export type ViewerState = (typeof STATES)[number];

export type Surface = 'page' | 'search' | 'clientApi' | 'messenger' | 'bot' | 'sitemap';
/** What a viewer reaches on a surface: the audiences it reads, or the refusal it gets. */
export type Cell = Audience[] | { refused: string };

const PUBLIC: Audience[] = ['everyone'];
const SIGNED_IN: Audience[] = ['everyone', 'signed_in'];
const ALL: Audience[] = ['everyone', 'signed_in', 'segment'];
const refused = (code: string) => ({ refused: code });

/**
 * page: /help/articles/:id with the viewer's help cookie; search: /help/search with it;
 * clientApi: GET /v1/client/articles[/:id] with its session token; messenger: the Help
 * view through the client package (its search and its article view); bot: what the
 * `suggest_articles` step offers for its first message; sitemap: /help/sitemap.xml.
 *
 * The messenger never reads without a session: a device without one starts as a new
 * anonymous visitor, and after its session ended or logged out it goes on as one
 * (HELP.md, IDENTITY.md §7), so those rows read `everyone` there. A bot only answers a
 * session, so where no live session exists the message is refused with the code the
 * client API gives (API.md), and nothing about any article comes back.
 */
export const MATRIX: Record<ViewerState, Record<Surface, Cell>> = {
  noSession: {
    page: PUBLIC,
    search: PUBLIC,
    clientApi: refused('invalid_session'),
    messenger: PUBLIC,
    bot: refused('invalid_session'),
    sitemap: PUBLIC,
  },
  // Its user has the tag (plan:pro): an anonymous session reads `everyone` whatever its user's tags.
  anonymous: {
    page: PUBLIC,
    search: PUBLIC,
    clientApi: PUBLIC,
    messenger: PUBLIC,
    bot: PUBLIC,
    sitemap: PUBLIC,
  },
  withoutTag: {
    page: SIGNED_IN,
    search: SIGNED_IN,
    clientApi: SIGNED_IN,
    messenger: SIGNED_IN,
    bot: SIGNED_IN,
    sitemap: PUBLIC,
  },
  withTag: { page: ALL, search: ALL, clientApi: ALL, messenger: ALL, bot: ALL, sitemap: PUBLIC },
  // Signed in with the tag until its token expired.
  ended: {
    page: PUBLIC,
    search: PUBLIC,
    clientApi: refused('session_expired'),
    messenger: PUBLIC,
    bot: refused('session_expired'),
    sitemap: PUBLIC,
  },
  // Signed in with the tag until it logged out.
  loggedOut: {
    page: PUBLIC,
    search: PUBLIC,
    clientApi: refused('session_ended'),
    messenger: PUBLIC,
    bot: refused('session_ended'),
    sitemap: PUBLIC,
  },
};

/** The tag the `segment` article asks for. */
export const TAG = 'plan:pro';

/** One published article per audience. All share the word "zebrafish"; each body has a word of its own. */
export type Articles = {
  ids: Record<Audience, string>;
  title: Record<Audience, string>;
  secretWord: Record<Audience, string>;
  /** The audiences whose article id appears in `text` (a link, a list, a sitemap). */
  named(text: string): Audience[];
  /** The audiences whose title or own word appears in `text`. */
  told(text: string): Audience[];
};

export async function seedArticles(server: TestServer): Promise<Articles> {
  const collectionId = await createCollection(server, 'Zebrafish');
  const secretWord: Record<Audience, string> = {
    everyone: 'amberlight',
    signed_in: 'sapphirewing',
    segment: 'garnetcrown',
  };
  const audience: Record<Audience, Record<string, unknown>> = {
    everyone: { type: 'everyone' },
    signed_in: { type: 'signed_in' },
    segment: { type: 'segment', tagsAll: [TAG] },
  };
  const ids = {} as Record<Audience, string>;
  const title = {} as Record<Audience, string>;
  for (const name of AUDIENCES) {
    title[name] = `Zebrafish ${name.replace('_', ' ')} guide`;
    ids[name] = await createArticle(server, {
      collectionId,
      title: title[name],
      body: `Zebrafish notes. ${secretWord[name]} is the word of this article.`,
      audience: audience[name],
    });
  }
  const named = (text: string) => AUDIENCES.filter((a) => text.includes(ids[a]));
  const told = (text: string) =>
    AUDIENCES.filter((a) => text.includes(title[a]) || text.includes(secretWord[a]));
  return { ids, title, secretWord, named, told };
}

/** The claims a business's backend signs for a customer in `state` (signed-in states only). */
export function claimsFor(state: 'withoutTag' | 'withTag' | 'ended' | 'loggedOut'): Claims {
  return {
    external_id: uniqueExternalId(state),
    tags: state === 'withoutTag' ? ['plan:free'] : [TAG],
    // An hour ahead: it ends in these tests only when the server's clock is moved past it.
    exp: Math.floor(Date.now() / 1000) + 3600,
  };
}

/**
 * Moves the server's clock two hours on, past every token `claimsFor` signed, so their
 * sessions are ended (IDENTITY.md §7: expired). Returns how to put the clock back.
 */
export function expireSignedInSessions(server: TestServer): () => void {
  const realNow = server.runtime.now;
  server.runtime.now = () => realNow() + 2 * 3600_000;
  return () => {
    server.runtime.now = realNow;
  };
}

/** A viewer as the server sees it: the session token and help cookie it holds, if any. */
export type Viewer = {
  token?: string;
  cookie?: string;
  /** Puts back what entering the state changed (the clock, for an ended session). */
  leave(): void;
};

/**
 * Makes a viewer in `state` on `server`, through the client API as a messenger would:
 * anonymous session, login with a signed token, logout. The ended and logged-out viewers
 * read the tagged article before their session ends (else the row would prove nothing).
 */
export async function enterState(
  server: TestServer,
  key: { kid: string; secret: string },
  state: ViewerState,
  articles: Articles,
): Promise<Viewer> {
  const leave = () => {};
  if (state === 'noSession') return { leave };
  if (state === 'anonymous') {
    const device = await anonymousSession(server);
    await setUserTags(server, device.userId, [TAG]);
    return { token: device.sessionToken, cookie: await helpCookie(server, device.sessionToken), leave };
  }
  const session = (await login(server, await signUserToken(key, claimsFor(state)))).json();
  const token: string = session.sessionToken;
  const viewer = { token, cookie: await helpCookie(server, token), leave };
  if (state === 'withoutTag' || state === 'withTag') return viewer;

  const before = await server.request('GET', `/v1/client/articles/${articles.ids.segment}`, { token });
  if (before.statusCode !== 200) throw new Error(`${state}: the tagged article was not readable before`);
  if (state === 'loggedOut') {
    const out = await server.request('POST', '/v1/client/logout', { token });
    if (out.statusCode !== 204) throw new Error(`logout: ${out.statusCode} ${out.body}`);
    return viewer;
  }
  return { ...viewer, leave: expireSignedInSessions(server) };
}
