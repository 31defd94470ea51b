import type { AppContext } from '../context.ts';
import { currentSettings } from '../settings/settings.ts';
import type { App } from './types.ts';

/** The messenger runs on the business's pages: the client API answers the origins in `allowedOrigins`. */
export async function isOriginAllowed(ctx: AppContext, origin: string | undefined): Promise<boolean> {
  if (origin === undefined) return true; // not a browser, or same-origin navigation
  const { allowedOrigins } = await currentSettings(ctx);
  return allowedOrigins.includes('*') || allowedOrigins.includes(origin);
}

/**
 * CORS for `/v1/client/*` and `/widget.js` only; the admin/agent API stays same-origin.
 * Bearer tokens, not cookies, authenticate the messenger, so no credentials mode.
 */
export function registerClientCors(app: App, ctx: AppContext): void {
  const applies = (url: string) => url.startsWith('/v1/client/') || url === '/widget.js';
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !applies(request.url)) return;
    if (!(await isOriginAllowed(ctx, origin))) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    // The messenger waits as long as a 429 says (API.md); a foreign page can read only exposed headers.
    reply.header('access-control-expose-headers', 'Retry-After');
    if (request.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'GET, POST, PATCH, OPTIONS');
      reply.header('access-control-allow-headers', 'authorization, content-type');
      reply.header('access-control-max-age', '600');
      return reply.status(204).send();
    }
  });
  // Preflights need a route to land on; the hook above answers them.
  app.options('/v1/client/*', { schema: { hide: true } }, async (_request, reply) =>
    reply.status(204).send(),
  );
}
