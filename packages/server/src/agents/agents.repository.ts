import type { Executor } from '../db/executor.ts';
import type { AgentRow, ApiTokenRow } from '../db/schema.ts';

export async function insertAgent(db: Executor, row: AgentRow): Promise<void> {
  await db.insertInto('agents').values(row).execute();
}

export async function findAgentByEmail(db: Executor, email: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function insertApiToken(db: Executor, row: ApiTokenRow): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

export async function findApiTokenByHash(db: Executor, tokenHash: string): Promise<ApiTokenRow | undefined> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchApiToken(db: Executor, id: string, now: number): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', now - 60_000)]))
    .execute();
}

/** An agent account or API token by id: either may be assigned a conversation. */
export async function findAssignee(
  db: Executor,
  id: string,
): Promise<{ id: string; name: string } | undefined> {
  const agent = await db.selectFrom('agents').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  if (agent) return agent;
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name'])
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}
