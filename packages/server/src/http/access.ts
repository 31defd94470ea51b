import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { authenticateApiToken, type Principal } from '../agents/api-tokens.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The bearer credential of a request, if it sent one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * Access rules (API.md): managing keys and settings needs an admin; everything else
 * on the admin/agent API needs an agent or an API token.
 */
export function requireStaff(ctx: AppContext, role: 'admin' | 'agent' = 'agent'): preHandlerAsyncHookHandler {
  return async (request) => {
    const token = bearerToken(request);
    const principal = token ? await authenticateApiToken(ctx, token) : undefined;
    if (!principal) throw new AppError('not_authenticated', 'an API token or agent session is required');
    if (role === 'admin' && principal.role !== 'admin')
      throw new AppError('forbidden', 'this needs an admin');
    request.principal = principal;
  };
}
