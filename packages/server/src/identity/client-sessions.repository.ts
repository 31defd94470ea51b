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

export async function revokeClientSession(db: Executor, id: string, now: number): Promise<void> {
  await db
    .updateTable('client_sessions')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Returns the ids of the sessions it ended. */
export async function revokeSessionsOfUser(db: Executor, userId: string, now: number): Promise<string[]> {
  const rows = await db
    .updateTable('client_sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function moveSessions(db: Executor, fromUserId: string, toUserId: string): Promise<void> {
  await db
    .updateTable('client_sessions')
    .set({ user_id: toUserId })
    .where('user_id', '=', fromUserId)
    .execute();
}

/**
 * IDENTITY.md §1: sessions authenticated with a deleted key lose their authentication.
 * Returns the ids of the sessions that did.
 */
export async function deauthenticateSessionsOfKid(db: Executor, kid: string): Promise<string[]> {
  const rows = await db
    .selectFrom('client_sessions')
    .select('id')
    .where('kid', '=', kid)
    .where('authenticated', '=', 1)
    .where('revoked_at', 'is', null)
    .execute();
  await db.updateTable('client_sessions').set({ authenticated: 0 }).where('kid', '=', kid).execute();
  return rows.map((r) => r.id);
}
