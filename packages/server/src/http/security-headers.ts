import helmet from '@fastify/helmet';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './types.ts';

type HelmetOptions = NonNullable<Parameters<FastifyReply['helmet']>[0]>;

const CSP = (directives: Record<string, string[]>) => ({
  contentSecurityPolicy: { useDefaults: false, directives },
});

/**
 * Security headers per surface (API.md "Hostile input"), by @fastify/helmet. Every answer
 * gets nosniff, `Referrer-Policy: no-referrer` and the rest of helmet's defaults; what
 * differs is the Content-Security-Policy and who may embed or load a response.
 */
const SURFACES = {
  /** The agent app: its own scripts only, never framed (clickjacking). */
  agentApp: {
    ...CSP({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    }),
    frameguard: { action: 'deny' },
  },
  /** The demo shop is one page with inline scripts, as a business's own page would be. */
  demo: {
    ...CSP({
      'default-src': ["'self'"],
      'script-src': ["'self'", "'unsafe-inline'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
    }),
    frameguard: { action: 'deny' },
  },
  /** `/widget.js` and the client API are loaded from the business's pages (CORS decides who reads). */
  embeddable: {
    ...CSP({ 'default-src': ["'none'"] }),
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  },
  /** The OpenAPI page brings its own scripts and styles. */
  docs: { contentSecurityPolicy: false },
  /** JSON answers: nothing in them may run or be framed. */
  api: {
    ...CSP({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] }),
    frameguard: { action: 'deny' },
  },
} satisfies Record<string, HelmetOptions>;

function surfaceOf(request: FastifyRequest): HelmetOptions {
  const route = request.routeOptions.url ?? '';
  if (route === '/' || route.startsWith('/assets/')) return SURFACES.agentApp;
  if (route === '/demo') return SURFACES.demo;
  if (route === '/widget.js' || route.startsWith('/v1/client/')) return SURFACES.embeddable;
  if (route.startsWith('/docs')) return SURFACES.docs;
  return SURFACES.api;
}

/**
 * A WebSocket upgrade that succeeds answers 101 and no document, so its headers would do
 * nothing but stay on the upgraded connection's response for the socket's life (~1.5 KiB
 * per idle socket in the sockets bench). A refused upgrade is an ordinary answer and gets
 * them as it is sent.
 */
const isUpgrade = (request: FastifyRequest) => request.headers.upgrade !== undefined;

export async function registerSecurityHeaders(app: App): Promise<void> {
  await app.register(helmet, { global: false });
  app.addHook('onRequest', async (request, reply) => {
    if (!isUpgrade(request)) await reply.helmet(surfaceOf(request));
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (isUpgrade(request)) await reply.helmet(surfaceOf(request));
    return payload;
  });
}
