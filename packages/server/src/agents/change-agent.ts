import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { isId } from '../ids.ts';
import { deleteAgentRow, findAgent, revokeSessionsOfAgent, updateAgentRole } from './agents.repository.ts';
import type { AgentRole } from './create-agent.ts';

/**
 * API.md "Hostile input": an agent socket ends when its agent is deleted or loses the
 * role it used, on every node. Requests re-read the agent on every call already.
 */
async function endAgentSockets(ctx: AppContext, agentId: string): Promise<void> {
  await ctx.bus.publish({ type: 'agent_access.ended', principalIds: [agentId], agentSessionIds: [] });
}

export async function changeAgentRole(ctx: AppContext, id: string, role: AgentRole) {
  const agent = isId(id) ? await findAgent(ctx.storage.db, id) : undefined;
  if (!agent) throw new AppError('not_found', 'no such agent');
  if (agent.role !== role) {
    await updateAgentRole(ctx.storage.db, id, role);
    await endAgentSockets(ctx, id);
  }
  return { id: agent.id, email: agent.email, name: agent.name, role };
}

/** The account goes, its cookie sessions stop working, its sockets close. */
export async function deleteAgent(ctx: AppContext, id: string, by: { id: string }): Promise<void> {
  if (id === by.id) throw new AppError('conflict', 'an agent cannot delete their own account');
  if (!isId(id) || !(await deleteAgentRow(ctx.storage.db, id)))
    throw new AppError('not_found', 'no such agent');
  await revokeSessionsOfAgent(ctx.storage.db, id, ctx.now());
  await endAgentSockets(ctx, id);
}
