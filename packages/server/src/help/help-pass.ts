import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { LiveClientSession } from '../identity/client-sessions.ts';
import { findLiveSession } from '../identity/client-sessions.ts';
import { newId } from '../ids.ts';
import { hashToken, newBearerToken } from '../secrets.ts';
import { findReadableArticle } from './articles.repository.ts';
import { NOBODY, type Viewer } from './can-read.ts';
import {
  deletePass,
  deleteStaleTickets,
  findPassByCookie,
  insertHelpPass,
  spendTicket,
} from './help-passes.repository.ts';
import { viewerOf } from './viewer.ts';

/** HELP.md "Same session, no second sign-on". */
export const TICKET_TTL_MS = 60_000;
export const HELP_COOKIE = 'signet_help';

/**
 * `POST /v1/client/help-ticket`: a single-use ticket, valid 60 s, bound to this session.
 * The session token is kept sealed with the master key so each help request checks the
 * session by the same rule as the client API; an article the viewer may not read is 404.
 */
export async function issueHelpTicket(
  ctx: AppContext,
  live: LiveClientSession,
  sessionToken: string,
  articleId: string | undefined,
): Promise<string> {
  const db = ctx.storage.db;
  if (articleId !== undefined && !(await findReadableArticle(db, viewerOf(live), articleId)))
    throw new AppError('not_found', 'no such article');
  const now = ctx.now();
  const ticket = newBearerToken('hlt');
  await deleteStaleTickets(db, now);
  await insertHelpPass(db, {
    id: newId(now),
    ticket_hash: hashToken(ticket),
    cookie_hash: null,
    session_id: live.session.id,
    session_sealed: ctx.masterKey.encrypt(sessionToken),
    article_id: articleId ?? null,
    created_at: now,
    ticket_expires_at: now + TICKET_TTL_MS,
    used_at: null,
  });
  return ticket;
}

/**
 * `/help/auth?ticket=`: spends the ticket (once, within its minute, while its session is
 * live) for a help cookie bound to the same session. Undefined when any of that fails.
 */
export async function exchangeHelpTicket(
  ctx: AppContext,
  ticket: string,
): Promise<{ cookie: string; articleId: string | null } | undefined> {
  if (!ticket.startsWith('hlt_') || ticket.length > 200) return undefined;
  const cookie = newBearerToken('hlc');
  const db = ctx.storage.db;
  const pass = await spendTicket(db, hashToken(ticket), hashToken(cookie), ctx.now());
  if (!pass) return undefined;
  if (!(await findLiveSession(db, ctx.masterKey.decrypt(pass.session_sealed), ctx.now()))) {
    await deletePass(db, pass.id);
    return undefined;
  }
  return { cookie, articleId: pass.article_id };
}

/**
 * The viewer behind a help cookie. The cookie lives exactly as long as its session: once
 * the session has ended or expired, the pass is deleted and `ended` tells the caller to
 * clear the cookie.
 */
export async function helpCookieViewer(
  ctx: AppContext,
  cookie: string | undefined,
): Promise<{ viewer: Viewer; ended: boolean }> {
  if (!cookie) return { viewer: NOBODY, ended: false };
  if (!cookie.startsWith('hlc_') || cookie.length > 200) return { viewer: NOBODY, ended: true };
  const db = ctx.storage.db;
  const pass = await findPassByCookie(db, hashToken(cookie));
  if (!pass) return { viewer: NOBODY, ended: true };
  const live = await findLiveSession(db, ctx.masterKey.decrypt(pass.session_sealed), ctx.now());
  if (!live || live.session.id !== pass.session_id) {
    await deletePass(db, pass.id);
    return { viewer: NOBODY, ended: true };
  }
  return { viewer: viewerOf(live), ended: false };
}
