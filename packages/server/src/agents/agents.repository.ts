import type { Executor } from '../db/executor.ts';
import type { AgentRow, AgentSessionRow, ApiTokenRow } from '../db/schema.ts';

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
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
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

export async function findAgent(db: Executor, id: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAgents(db: Executor): Promise<AgentRow[]> {
  return db.selectFrom('agents').selectAll().orderBy('created_at').execute();
}

export async function listApiTokens(db: Executor): Promise<ApiTokenRow[]> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

export async function revokeApiToken(db: Executor, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function insertAgentSession(db: Executor, row: AgentSessionRow): Promise<void> {
  await db.insertInto('agent_sessions').values(row).execute();
}

export async function findAgentSessionByHash(
  db: Executor,
  tokenHash: string,
): Promise<AgentSessionRow | undefined> {
  return db
    .selectFrom('agent_sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function revokeAgentSession(db: Executor, id: string, now: number): Promise<void> {
  await db.updateTable('agent_sessions').set({ revoked_at: now }).where('id', '=', id).execute();
}

export async function deleteAgentRow(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('agents').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function revokeSessionsOfAgent(db: Executor, agentId: string, now: number): Promise<void> {
  await db
    .updateTable('agent_sessions')
    .set({ revoked_at: now })
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function updateAgentRole(db: Executor, id: string, role: AgentRow['role']): Promise<void> {
  await db.updateTable('agents').set({ role }).where('id', '=', id).execute();
}
