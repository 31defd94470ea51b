import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { type AgentSession, authenticateAgentSession } from '../agents/agent-sessions.ts';
import { authenticateApiToken } from '../agents/api-tokens.ts';
import type { Principal } from '../agents/principal.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { AGENT_COOKIE, readCookie } from './cookies.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    agentSession?: AgentSession;
  }
}

/** The bearer credential of a request, if it sent one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Access rules (API.md): managing keys and settings needs an admin; everything else
 * on the admin/agent API needs an agent or an API token. The agent app's cookie counts
 * too, and a mutation made with it must echo the session's CSRF token.
 */
export function requireStaff(ctx: AppContext, role: 'admin' | 'agent' = 'agent'): preHandlerAsyncHookHandler {
  const hook: preHandlerAsyncHookHandler = async (request) => {
    const principal = await identifyStaff(ctx, request);
    if (!principal) throw new AppError('not_authenticated', 'an API token or agent session is required');
    if (role === 'admin' && principal.role !== 'admin')
      throw new AppError('forbidden', 'this needs an admin');
    request.principal = principal;
  };
  // Runs before the body is parsed (authenticate-first.ts): no credentials, 401, whatever the body.
  return Object.assign(hook, { [AUTHENTICATES]: true });
}

/** Marks a route hook that authenticates; such hooks run first (authenticate-first.ts). */
export const AUTHENTICATES = Symbol('authenticates');

async function identifyStaff(ctx: AppContext, request: FastifyRequest): Promise<Principal | undefined> {
  const token = bearerToken(request);
  if (token) return authenticateApiToken(ctx, token);
  const cookie = readCookie(request, AGENT_COOKIE);
  if (!cookie) return undefined;
  const session = await authenticateAgentSession(ctx, cookie);
  if (!session) return undefined;
  if (!SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== session.csrfToken) {
    throw new AppError('forbidden', 'missing or wrong x-csrf-token');
  }
  request.agentSession = session;
  return session.principal;
}
