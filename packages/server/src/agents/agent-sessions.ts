import { randomBytes } from 'node:crypto';
import type { AppContext } from '../context.ts';
import type { AgentRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { hashToken, newBearerToken } from '../secrets.ts';
import {
  findAgent,
  findAgentByEmail,
  findAgentSessionByHash,
  insertAgentSession,
  revokeAgentSession,
} from './agents.repository.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { Principal } from './principal.ts';

export const AGENT_SESSION_PREFIX = 'sas';
export const AGENT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export type AgentView = { id: string; email: string; name: string; role: 'admin' | 'agent' };
export type SignedIn = { token: string; csrfToken: string; agent: AgentView; expiresAt: number };

// A hash to compare against when the email is unknown, so both paths cost one scrypt.
const decoy = hashPassword(randomBytes(16).toString('hex'));

/** Email and password to a cookie session. Wrong email and wrong password answer alike. */
export async function signInAgent(ctx: AppContext, email: string, password: string): Promise<SignedIn> {
  const agent = await findAgentByEmail(ctx.storage.db, email.trim().toLowerCase());
  const ok = await verifyPassword(password, agent?.password_hash ?? (await decoy));
  if (!agent || !ok) throw new AppError('invalid_credentials', 'wrong email or password');
  return openAgentSession(ctx, agent);
}

/** A new cookie session for an agent whose credentials were just checked (or just set). */
export async function openAgentSession(
  ctx: AppContext,
  agent: Pick<AgentRow, 'id' | 'email' | 'name' | 'role'>,
): Promise<SignedIn> {
  const now = ctx.now();
  const token = newBearerToken(AGENT_SESSION_PREFIX);
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = now + AGENT_SESSION_TTL_MS;
  await insertAgentSession(ctx.storage.db, {
    id: newId(now),
    token_hash: hashToken(token),
    agent_id: agent.id,
    csrf_token: csrfToken,
    created_at: now,
    expires_at: expiresAt,
    revoked_at: null,
  });
  return {
    token,
    csrfToken,
    expiresAt,
    agent: { id: agent.id, email: agent.email, name: agent.name, role: agent.role },
  };
}

export type AgentSession = { sessionId: string; principal: Principal; csrfToken: string; agent: AgentView };

export async function authenticateAgentSession(
  ctx: AppContext,
  token: string,
): Promise<AgentSession | undefined> {
  if (!token.startsWith(`${AGENT_SESSION_PREFIX}_`) || token.length > 200) return undefined;
  const session = await findAgentSessionByHash(ctx.storage.db, hashToken(token));
  if (!session || session.expires_at <= ctx.now()) return undefined;
  const agent = await findAgent(ctx.storage.db, session.agent_id);
  if (!agent) return undefined;
  return {
    sessionId: session.id,
    csrfToken: session.csrf_token,
    principal: { kind: 'agent', id: agent.id, name: agent.name, role: agent.role },
    agent: { id: agent.id, email: agent.email, name: agent.name, role: agent.role },
  };
}

/** The session's cookie stops working, and the sockets it opened close on every node. */
export async function signOutAgent(ctx: AppContext, sessionId: string): Promise<void> {
  await revokeAgentSession(ctx.storage.db, sessionId, ctx.now());
  await ctx.bus.publish({ type: 'agent_access.ended', principalIds: [], agentSessionIds: [sessionId] });
}
