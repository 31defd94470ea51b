import type { AppContext } from '../context.ts';
import { isRetryableConflict } from '../db/conflicts.ts';
import type { AgentRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { insertAgent, listAgents } from './agents.repository.ts';
import { hashPassword } from './password.ts';

export type AgentRole = AgentRow['role'];
export const MIN_PASSWORD_LENGTH = 10;

export async function createAgent(
  ctx: AppContext,
  input: { email: string; name: string; role: AgentRole; password: string },
): Promise<{ id: string; email: string; name: string; role: AgentRole }> {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `the password needs at least ${MIN_PASSWORD_LENGTH} characters`, {
      field: 'password',
    });
  }
  const now = ctx.now();
  const row: AgentRow = {
    id: newId(now),
    email: input.email.trim().toLowerCase(),
    name: input.name,
    role: input.role,
    password_hash: await hashPassword(input.password),
    created_at: now,
  };
  try {
    await insertAgent(ctx.storage.db, row);
  } catch (error) {
    if (isRetryableConflict(error)) throw new AppError('conflict', 'an agent with this email exists');
    throw error;
  }
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

export async function listAgentViews(ctx: AppContext) {
  const rows = await listAgents(ctx.storage.db);
  return rows.map((r) => ({ id: r.id, email: r.email, name: r.name, role: r.role }));
}
