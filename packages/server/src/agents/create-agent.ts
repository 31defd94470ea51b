import { MIN_PASSWORD_LENGTH } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { isRetryableConflict } from '../db/conflicts.ts';
import type { AgentRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { insertAgent, listAgents } from './agents.repository.ts';
import { hashPassword } from './password.ts';

export type AgentRole = AgentRow['role'];
type NewAgent = { email: string; name: string; role: AgentRole; password: string };

/** An agent's row as every way of creating one stores it: email lower-cased, password hashed. */
export async function newAgentRow(input: NewAgent, now: number): Promise<AgentRow> {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `the password needs at least ${MIN_PASSWORD_LENGTH} characters`, {
      field: 'password',
    });
  }
  return {
    id: newId(now),
    email: input.email.trim().toLowerCase(),
    name: input.name.trim() || input.email,
    role: input.role,
    password_hash: await hashPassword(input.password),
    created_at: now,
  };
}

export async function createAgent(
  ctx: AppContext,
  input: NewAgent,
): Promise<{ id: string; email: string; name: string; role: AgentRole }> {
  const row = await newAgentRow(input, ctx.now());
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
