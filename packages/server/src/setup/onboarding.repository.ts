import type { Executor } from '../db/executor.ts';

/** Whether a login with one of these keys succeeded. */
export async function anyLoginWithKeys(db: Executor, kids: string[]): Promise<boolean> {
  if (kids.length === 0) return false;
  const row = await db
    .selectFrom('auth_events')
    .select('id')
    .where('outcome', '=', 'ok')
    .where('kid', 'in', kids)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether a user wrote through a session one of these keys authenticated. */
export async function anyAuthenticatedMessage(db: Executor, kids: string[]): Promise<boolean> {
  if (kids.length === 0) return false;
  const row = await db
    .selectFrom('messages')
    .innerJoin('client_sessions', 'client_sessions.user_id', 'messages.user_id')
    .select('messages.id')
    .where('messages.author_type', '=', 'user')
    .where('messages.authenticated', '=', 1)
    .where('client_sessions.kid', 'in', kids)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function listOwnKids(db: Executor, exceptName: string): Promise<string[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .select('kid')
    .where('deleted_at', 'is', null)
    .where('name', '!=', exceptName)
    .execute();
  return rows.map((r) => r.kid);
}
