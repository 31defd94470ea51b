import type { SessionEndReason } from '@signet/protocol';
import { sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import type { ClientSessionRow } from '../db/schema.ts';

export async function insertClientSession(db: Executor, session: ClientSessionRow): Promise<void> {
  await db.insertInto('client_sessions').values(session).execute();
}

export async function findClientSessionByHash(
  db: Executor,
  tokenHash: string,
): Promise<ClientSessionRow | undefined> {
  return db.selectFrom('client_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function findClientSession(db: Executor, id: string): Promise<ClientSessionRow | undefined> {
  return db.selectFrom('client_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findClientSessions(db: Executor, ids: readonly string[]): Promise<ClientSessionRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('client_sessions').selectAll().where('id', 'in', ids).execute();
}

/**
 * The reason a session ends with now: a session already past its end had expired
 * before anything else ended it (expiry is decided on read, so it may not be written yet).
 */
const endReason = (reason: SessionEndReason, now: number) =>
  sql<SessionEndReason>`case when expires_at is not null and expires_at <= ${now} then 'expired' else ${reason} end`;

/** Ends one session (if still open). Returns whether it did. */
export async function endClientSessionRow(
  db: Executor,
  id: string,
  reason: SessionEndReason,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('client_sessions')
    .set({ revoked_at: now, ended_reason: endReason(reason, now) })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends every open session of these users. Returns the ids of the sessions it ended. */
export async function endSessionsOfUsers(
  db: Executor,
  userIds: readonly string[],
  reason: SessionEndReason,
  now: number,
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .updateTable('client_sessions')
    .set({ revoked_at: now, ended_reason: endReason(reason, now) })
    .where('user_id', 'in', userIds)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function listOpenSessionsOfUser(db: Executor, userId: string): Promise<ClientSessionRow[]> {
  return db
    .selectFrom('client_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function moveSessionsTo(db: Executor, ids: readonly string[], toUserId: string): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('client_sessions').set({ user_id: toUserId }).where('id', 'in', ids).execute();
}

/** IDENTITY.md §1, §7: every open session authenticated with a deleted key ends. */
export async function endSessionsOfKid(db: Executor, kid: string, now: number): Promise<string[]> {
  const rows = await db
    .updateTable('client_sessions')
    .set({ revoked_at: now, ended_reason: endReason('key_deleted', now) })
    .where('kid', '=', kid)
    .where('authenticated', '=', 1)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** An anonymous session's use moves its idle deadline on. */
export async function touchClientSession(
  db: Executor,
  id: string,
  now: number,
  expiresAt: number | null,
): Promise<void> {
  await db
    .updateTable('client_sessions')
    .set({ last_used_at: now, expires_at: expiresAt })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Erasure: sessions keep no external id of the users they belonged to. */
export async function forgetSessionExternalIds(db: Executor, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .updateTable('client_sessions')
    .set({ external_id: null })
    .where('user_id', 'in', userIds)
    .execute();
}

/** Undoing a merge: sessions that moved with it (still open, still on `from`) go back. */
export async function moveOpenSessionsBack(
  db: Executor,
  ids: readonly string[],
  from: string,
  to: string,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('client_sessions')
    .set({ user_id: to })
    .where('id', 'in', ids)
    .where('user_id', '=', from)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * Undoing a merge: open sessions on `from` that were authenticated for one of these
 * external ids proved that id, and the id goes back to `to`, so the sessions follow it.
 */
export async function moveSessionsProvedFor(
  db: Executor,
  externalIds: readonly string[],
  from: string,
  to: string,
): Promise<void> {
  if (externalIds.length === 0) return;
  await db
    .updateTable('client_sessions')
    .set({ user_id: to })
    .where('user_id', '=', from)
    .where('revoked_at', 'is', null)
    .where('authenticated', '=', 1)
    .where('external_id', 'in', externalIds)
    .execute();
}
