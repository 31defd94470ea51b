import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { AppContext } from '../context.ts';
import { type LiveClientSession, requireLiveSession } from '../identity/client-sessions.ts';
import { AUTHENTICATES, bearerToken } from './access.ts';
import type { App } from './types.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The messenger's session, checked before the body was read. */
    clientSession?: LiveClientSession;
  }
}

/**
 * The live session `onRequest` checked for this request. Every `/v1/client/*` route but
 * the open ones has it; asking on another route is a bug in the route, not the request.
 */
export function clientSessionOf(request: FastifyRequest): LiveClientSession {
  if (!request.clientSession) throw new Error(`${request.routeOptions.url} is not a checked client route`);
  return request.clientSession;
}

/** Client routes anyone may call: they create or exchange a session, or authenticate in a frame. */
const OPEN_CLIENT_ROUTES = new Set(['/v1/client/sessions', '/v1/client/login', '/v1/client/ws']);

type Hook = onRequestAsyncHookHandler & { [AUTHENTICATES]?: true };

/**
 * API.md "Hostile input": a request without valid credentials is 401 whatever its body,
 * so authentication runs in `onRequest`, before the body is parsed or validated.
 * Staff routes keep declaring `preHandler: requireStaff(...)`; its hook is moved here as
 * each route is added. Client routes are known by their path.
 */
export function registerAuthenticationFirst(app: App, ctx: AppContext): void {
  app.addHook('onRoute', (route) => {
    const preHandlers = [route.preHandler ?? []].flat() as Hook[];
    const authenticating = preHandlers.filter((hook) => hook[AUTHENTICATES]);
    if (authenticating.length === 0) return;
    route.preHandler = preHandlers.filter((hook) => !hook[AUTHENTICATES]) as typeof route.preHandler;
    route.onRequest = [...([route.onRequest ?? []].flat() as Hook[]), ...authenticating];
  });

  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (request.method === 'OPTIONS' || !route?.startsWith('/v1/client/') || OPEN_CLIENT_ROUTES.has(route))
      return;
    request.clientSession = await requireLiveSession(ctx, bearerToken(request));
  });
}
