import type { SessionEndReason } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/executor.ts';
import type { Prelude } from '../db/group-commit.ts';
import type { ClientSessionRow, UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { hashToken, newBearerToken } from '../secrets.ts';
import { currentSettings } from '../settings/settings.ts';
import {
  endClientSessionRow,
  findClientSession,
  findClientSessionByHash,
  findClientSessions,
  insertClientSession,
  touchClientSession,
} from './client-sessions.repository.ts';
import { journal } from './journal.ts';
import { findUser, insertUser, lockUser, lockUsers } from './users.repository.ts';

export const SESSION_TOKEN_PREFIX = 'sst';
/** IDENTITY.md §2, §7: a token's `exp` is honoured with this much leeway, and so is the session it opens. */
export const EXP_LEEWAY_MS = 60_000;
const DAY_MS = 86_400_000;
/** An anonymous session's use is written down at most this often (its deadline is counted in days). */
const TOUCH_EVERY_MS = 3_600_000;

export type LiveClientSession = {
  session: ClientSessionRow;
  user: UserRow;
  /** Bound by a JWT login whose key is live and whose session has not run out (IDENTITY.md §7). */
  authenticated: boolean;
};

/** What a session token names now: a live session, one that has ended (and how), or nothing. */
export type SessionState =
  | { state: 'live'; live: LiveClientSession }
  | { state: 'ended'; code: 'session_expired' | 'session_ended'; reason: SessionEndReason };

export async function createAnonymousSession(
  ctx: AppContext,
): Promise<{ sessionToken: string; user: UserRow }> {
  const now = ctx.now();
  const { anonymousSessionDays } = await currentSettings(ctx);
  const sessionToken = newBearerToken(SESSION_TOKEN_PREFIX);
  const user = await ctx.storage.db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, { id: newId(now), name: null, anonymous: 1, created_at: now });
    await journal(trx, user.id, 'created', { actor: { by: 'messenger' } }, now);
    await insertClientSession(
      trx,
      sessionRow(sessionToken, user.id, now, { anonymousDays: anonymousSessionDays }),
    );
    return user;
  });
  return { sessionToken, user };
}

export type SessionLifetime =
  | { anonymousDays: number }
  | { kid: string; externalId: string; tokenExpiresAt: number | null; sessionHours: number };

export function sessionRow(
  sessionToken: string,
  userId: string,
  now: number,
  lifetime: SessionLifetime,
): ClientSessionRow {
  const authenticated = 'kid' in lifetime;
  return {
    id: newId(now),
    token_hash: hashToken(sessionToken),
    user_id: userId,
    authenticated: authenticated ? 1 : 0,
    kid: authenticated ? lifetime.kid : null,
    external_id: authenticated ? lifetime.externalId : null,
    token_expires_at: authenticated ? lifetime.tokenExpiresAt : null,
    // IDENTITY.md §7: a token's exp (+ leeway) or, without one, the configured hours.
    expires_at: authenticated
      ? lifetime.tokenExpiresAt !== null
        ? lifetime.tokenExpiresAt + EXP_LEEWAY_MS
        : now + lifetime.sessionHours * 3_600_000
      : now + lifetime.anonymousDays * DAY_MS,
    created_at: now,
    last_used_at: now,
    revoked_at: null,
    ended_reason: null,
  };
}

/** Reads what a session token names. Expiry is decided here, on read, on every node alike. */
export async function readClientSession(
  db: Executor,
  sessionToken: string,
  now: number,
): Promise<SessionState | undefined> {
  if (!sessionToken.startsWith(`${SESSION_TOKEN_PREFIX}_`) || sessionToken.length > 200) return undefined;
  const session = await findClientSessionByHash(db, hashToken(sessionToken));
  return session ? sessionState(db, session, now) : undefined;
}

/** `known`: the session's user, already read in this transaction (saves reading it again). */
async function sessionState(
  db: Executor,
  session: ClientSessionRow,
  now: number,
  known?: UserRow,
): Promise<SessionState> {
  if (session.revoked_at !== null) {
    const reason = session.ended_reason ?? 'logout';
    return { state: 'ended', code: reason === 'expired' ? 'session_expired' : 'session_ended', reason };
  }
  if (session.expires_at !== null && session.expires_at <= now) {
    return { state: 'ended', code: 'session_expired', reason: 'expired' };
  }
  let user = known?.id === session.user_id ? known : await findUser(db, session.user_id);
  if (user?.merged_into) user = await findUser(db, user.merged_into);
  if (!user || user.erased_at !== null || user.merged_into !== null) {
    return { state: 'ended', code: 'session_ended', reason: 'erased' };
  }
  return { state: 'live', live: { session, user, authenticated: session.authenticated === 1 } };
}

/** The live session a token names, or undefined when it is unknown or has ended. */
export async function findLiveSession(
  db: Executor,
  sessionToken: string,
  now: number,
): Promise<LiveClientSession | undefined> {
  const found = await readClientSession(db, sessionToken, now);
  return found?.state === 'live' ? found.live : undefined;
}

/**
 * The live session behind a client request, or the 401 that says why there is none:
 * `session_expired`, `session_ended` (API.md) or `invalid_session`.
 */
export async function requireLiveSession(
  ctx: AppContext,
  sessionToken: string | undefined,
): Promise<LiveClientSession> {
  const found = sessionToken ? await readClientSession(ctx.storage.db, sessionToken, ctx.now()) : undefined;
  if (!found) throw new AppError('invalid_session', 'the session token is unknown or missing');
  if (found.state === 'ended')
    throw new AppError(found.code, `the session has ended (${found.reason})`, { reason: found.reason });
  await noteSessionUse(ctx, found.live);
  return found.live;
}

/** IDENTITY.md §7: an anonymous session lives `anonymousSessionDays` past its last use. */
export async function noteSessionUse(ctx: AppContext, live: LiveClientSession): Promise<void> {
  const now = ctx.now();
  if (live.session.authenticated === 1 || now - live.session.last_used_at < TOUCH_EVERY_MS) return;
  const { anonymousSessionDays } = await currentSettings(ctx);
  await touchClientSession(ctx.storage.db, live.session.id, now, now + anonymousSessionDays * DAY_MS);
}

/**
 * What a writer knows of its session before its transaction opens: which session, and
 * the user it named when last read (a live session satisfies it; so does a socket's
 * note of both, which saves reading the session before every message).
 */
export type SessionClaim = { session: Pick<ClientSessionRow, 'id'>; user: Pick<UserRow, 'id'> };

/**
 * IDENTITY.md §7: a write from a session lands on the session's user as it is at commit
 * time. Inside the writer's transaction: lock the user the session named, then read the
 * session again (a merge or logout that committed meanwhile has ended it or moved it on)
 * and follow the user to its survivor. A session that ended answers its 401 code here.
 */
export async function sessionUserForWrite(
  db: Executor,
  claim: SessionClaim,
  now: number,
): Promise<LiveClientSession> {
  // A batch of sends may have locked its users and read their sessions already, in that
  // order, in this transaction (claimsPrelude).
  const warm = warmed.get(db);
  const locked = warm?.users.get(claim.user.id) ?? (await lockUser(db, claim.user.id));
  const session = warm?.sessions.get(claim.session.id) ?? (await findClientSession(db, claim.session.id));
  if (!session) throw new AppError('invalid_session', 'the session token is unknown or missing');
  const state = await sessionState(db, session, now, locked);
  if (state.state === 'ended')
    throw new AppError(state.code, `the session has ended (${state.reason})`, { reason: state.reason });
  if (state.live.user.id !== claim.user.id) await lockUser(db, state.live.user.id);
  return state.live;
}

const warmed = new WeakMap<
  Executor,
  { users: Map<string, UserRow>; sessions: Map<string, ClientSessionRow> }
>();

/**
 * For a group-committed batch of writes that each carry a session claim (db/group-commit.ts):
 * lock every claimed user, then read every claimed session, two statements for the whole
 * batch; `sessionUserForWrite` in that transaction takes them from here. The same order
 * as one write's own (lock, then read), so a merge or logout that committed meanwhile is
 * seen; one that moved a session elsewhere is followed as usual.
 */
export const claimsPrelude: Prelude<SessionClaim> = {
  async run(trx, claims) {
    const users = await lockUsers(trx, [...new Set(claims.map((c) => c.user.id))].sort());
    const sessions = await findClientSessions(trx, [...new Set(claims.map((c) => c.session.id))]);
    warmed.set(trx, {
      users: new Map(users.map((u) => [u.id, u])),
      sessions: new Map(sessions.map((s) => [s.id, s])),
    });
  },
};

/** Logout: the token stops working at once and the session's sockets are told to close. */
export async function endClientSession(ctx: AppContext, live: LiveClientSession): Promise<void> {
  await endClientSessionRow(ctx.storage.db, live.session.id, 'logout', ctx.now());
  await ctx.bus.publish({ type: 'session.ended', sessionIds: [live.session.id], reason: 'logout' });
}
