import type { AppContext } from '../context.ts';
import type { Executor } from '../db/executor.ts';
import type { ClientSessionRow, UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { hashToken, newBearerToken } from '../secrets.ts';
import {
  findClientSessionByHash,
  insertClientSession,
  revokeClientSession,
} from './client-sessions.repository.ts';
import { findUser, insertUser } from './users.repository.ts';

export const SESSION_TOKEN_PREFIX = 'sst';

export type LiveClientSession = {
  session: ClientSessionRow;
  user: UserRow;
  /** Authenticated now: bound by a JWT login whose key is live and whose token has not expired. */
  authenticated: boolean;
};

export async function createAnonymousSession(
  ctx: AppContext,
): Promise<{ sessionToken: string; user: UserRow }> {
  const now = ctx.now();
  const sessionToken = newBearerToken(SESSION_TOKEN_PREFIX);
  const user = await ctx.storage.db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, { id: newId(now), name: null, anonymous: 1, created_at: now });
    await insertClientSession(trx, sessionRow(sessionToken, user.id, now, undefined));
    return user;
  });
  return { sessionToken, user };
}

export function sessionRow(
  sessionToken: string,
  userId: string,
  now: number,
  authenticatedWith: { kid: string; expiresAt: number | null } | undefined,
): ClientSessionRow {
  return {
    id: newId(now),
    token_hash: hashToken(sessionToken),
    user_id: userId,
    authenticated: authenticatedWith ? 1 : 0,
    kid: authenticatedWith?.kid ?? null,
    token_expires_at: authenticatedWith?.expiresAt ?? null,
    created_at: now,
    revoked_at: null,
  };
}

/** The live session a token names, or undefined when it is unknown or revoked. */
export async function findLiveSession(
  db: Executor,
  sessionToken: string,
  now: number,
): Promise<LiveClientSession | undefined> {
  if (!sessionToken.startsWith(`${SESSION_TOKEN_PREFIX}_`) || sessionToken.length > 200) return undefined;
  const session = await findClientSessionByHash(db, hashToken(sessionToken));
  if (!session || session.revoked_at !== null) return undefined;
  let user = await findUser(db, session.user_id);
  if (user?.merged_into) user = await findUser(db, user.merged_into);
  if (!user || user.erased_at !== null) return undefined;
  const unexpired = session.token_expires_at === null || session.token_expires_at > now;
  return { session, user, authenticated: session.authenticated === 1 && unexpired };
}

export async function requireLiveSession(
  ctx: AppContext,
  sessionToken: string | undefined,
): Promise<LiveClientSession> {
  const live = sessionToken ? await findLiveSession(ctx.storage.db, sessionToken, ctx.now()) : undefined;
  if (!live) throw new AppError('invalid_session', 'the session token is unknown, revoked or missing');
  return live;
}

/** Logout: the token stops working at once and the session's sockets are told to close. */
export async function endClientSession(ctx: AppContext, sessionToken: string | undefined): Promise<void> {
  const live = await requireLiveSession(ctx, sessionToken);
  await revokeClientSession(ctx.storage.db, live.session.id, ctx.now());
  await ctx.bus.publish({ type: 'session.ended', sessionIds: [live.session.id], reason: 'logout' });
}
