import type { LoginResponse } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { flag } from '../db/executor.ts';
import { groupCommit } from '../db/group-commit.ts';
import type { AuthEventRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isStale } from '../last-used.ts';
import { metrics } from '../metrics/metrics.ts';
import { newBearerToken } from '../secrets.ts';
import { currentSettings } from '../settings/settings.ts';
import { recordLogin } from '../webhooks/identity-events.ts';
import { authEventRow } from './auth-event-row.ts';
import { insertAuthEvent } from './auth-events.repository.ts';
import { endClientSessionRow, insertClientSession } from './client-sessions.repository.ts';
import { findLiveSession, SESSION_TOKEN_PREFIX, sessionRow } from './client-sessions.ts';
import { resolveUser } from './resolve-user.ts';
import { touchSigningKey } from './signing-keys.repository.ts';
import { lookupVerificationKey } from './signing-keys.ts';
import { userView } from './user-view.ts';
import { listIdentities } from './users.repository.ts';
import { TokenRejected, verifyToken } from './verify-token.ts';

export type LoginInput = {
  jwt: string;
  /** The session the device already had, if any (IDENTITY.md §3.4). */
  sessionToken: string | undefined;
  ip: string | undefined;
  userAgent: string | undefined;
};

/**
 * A login, and nothing else on its path (DESIGN.md): verify → resolve in one
 * transaction (group-committed) → a fresh session → one auth-log row. The device's
 * previous session is revoked, so a token planted before login never becomes an
 * authenticated one.
 */
export async function loginWithToken(ctx: AppContext, input: LoginInput): Promise<LoginResponse> {
  const db = ctx.storage.db;
  const startedAt = ctx.now();
  const event = (fields: Partial<AuthEventRow>) =>
    authEventRow(startedAt, { ip: input.ip, userAgent: input.userAgent }, fields);

  let claims: Awaited<ReturnType<typeof verifyToken>>;
  let keyLastUsedAt: number | null = null;
  try {
    claims = await verifyToken(
      input.jwt,
      async (kid) => {
        const found = await lookupVerificationKey(ctx, kid);
        keyLastUsedAt = found?.lastUsedAt ?? null;
        return found?.key;
      },
      startedAt,
    );
  } catch (error) {
    if (!(error instanceof TokenRejected)) throw error;
    metrics.loginAttempt(error.reason);
    await insertAuthEvent(
      db,
      event({
        outcome: error.reason,
        claim: error.claim ?? null,
        kid: error.hints.kid ?? null,
        external_id: error.hints.externalId ?? null,
        had_exp: error.hints.hadExp === undefined ? null : flag(error.hints.hadExp),
      }),
    );
    throw new AppError('invalid_token', `the token was rejected: ${error.message}`, {
      reason: error.reason,
      ...(error.claim ? { claim: error.claim } : {}),
    });
  }

  const previous = input.sessionToken ? await findLiveSession(db, input.sessionToken, startedAt) : undefined;
  const { unverifiedEmail, authenticatedSessionHours } = await currentSettings(ctx);
  const sessionToken = newBearerToken(SESSION_TOKEN_PREFIX);

  // Shares its transaction with the other logins and messages waiting at that moment.
  const { resolved, identities, replaced } = await groupCommit(ctx).run(claims.externalId, async (trx) => {
    const now = ctx.now();
    // The device's old session is replaced before resolution: if its user merges into the
    // target below, the device holds the new token, not a session ended by the merge.
    const replaced = previous ? await endClientSessionRow(trx, previous.session.id, 'replaced', now) : false;
    const resolved = await resolveUser(trx, {
      claims,
      sessionUserId: replaced ? previous?.user.id : undefined,
      unverifiedEmail,
      now,
    });
    await insertClientSession(
      trx,
      sessionRow(sessionToken, resolved.user.id, now, {
        kid: claims.kid,
        externalId: claims.externalId,
        tokenExpiresAt: claims.exp === undefined ? null : claims.exp * 1000,
        sessionHours: authenticatedSessionHours,
      }),
    );
    if (isStale(keyLastUsedAt, now)) await touchSigningKey(trx, claims.kid, now);
    await insertAuthEvent(
      trx,
      event({
        kid: claims.kid,
        external_id: claims.externalId,
        external_id_verified: 1,
        user_id: resolved.user.id,
        resolution: resolved.resolution,
        merged_anonymous: flag(resolved.mergedAnonymous),
        email_outcome: resolved.emailOutcome,
        had_exp: flag(claims.exp !== undefined),
      }),
    );
    const identities = await listIdentities(trx, [resolved.user.id]);
    await recordLogin(trx, { ...resolved, user: userView(resolved.user, identities) }, now);
    return { value: { resolved, replaced, identities } };
  });

  metrics.loginAttempt('ok');
  // The device's old session is gone; its sockets reconnect with the new token.
  if (previous && replaced)
    await ctx.bus.publish({ type: 'session.ended', sessionIds: [previous.session.id], reason: 'replaced' });
  if (resolved.endedSessionIds.length > 0)
    await ctx.bus.publish({ type: 'session.ended', sessionIds: resolved.endedSessionIds, reason: 'merged' });

  return {
    sessionToken,
    user: userView(resolved.user, identities),
    authenticated: true,
    resolution: resolved.resolution,
    emailOutcome: resolved.emailOutcome,
    mergedAnonymous: resolved.mergedAnonymous,
  };
}
