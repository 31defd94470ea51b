import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyReply, type FastifyServerOptions } from 'fastify';
import { agentRoutes } from './agents/agents.routes.ts';
import type { AppContext } from './context.ts';
import { demoRoutes } from './demo/demo.routes.ts';
import { helpAdminRoutes } from './help/help-admin.routes.ts';
import { helpClientRoutes } from './help/help-client.routes.ts';
import { helpPageRoutes } from './help/help-pages.routes.ts';
import { registerAuthenticationFirst } from './http/authenticate-first.ts';
import { registerClientCors } from './http/cors.ts';
import { registerErrorHandling } from './http/error-handler.ts';
import { healthRoutes } from './http/health.routes.ts';
import { createRateLimits, type RateLimits } from './http/rate-limits.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import type { App } from './http/types.ts';
import { registerValidation } from './http/validation.ts';
import { authEventRoutes } from './identity/auth-events.routes.ts';
import { clientIdentityRoutes } from './identity/client.routes.ts';
import { signingKeyRoutes } from './identity/signing-keys.routes.ts';
import { tokenRoutes } from './identity/tokens.routes.ts';
import { userRoutes } from './identity/users.routes.ts';
import { clientMessagingRoutes } from './messaging/client.routes.ts';
import { conversationRoutes } from './messaging/conversations.routes.ts';
import { registerMetrics } from './metrics/metrics.routes.ts';
import { Gateway } from './realtime/gateway.ts';
import { chooseProtocol, socketRoutes } from './realtime/sockets.routes.ts';
import { settingsRoutes } from './settings/settings.routes.ts';
import { setupRoutes } from './setup/setup.routes.ts';
import { webAppRoutes } from './web/app.routes.ts';
import { widgetRoutes } from './web/widget.routes.ts';
import { Dispatcher } from './webhooks/dispatcher.ts';
import { webhookRoutes } from './webhooks/webhooks.routes.ts';

/** Anything that could authenticate someone is cut out of every log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["sec-websocket-protocol"]',
  'res.headers["set-cookie"]',
  '*.jwt',
  '*.secret',
  '*.token',
  '*.sessionToken',
  '*.apiToken',
  '*.password',
];

/** A message of 4096 code points fits with room to spare; larger frames close the socket (1009). */
const MAX_FRAME_BYTES = 64 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    gateway: Gateway;
    /** Token buckets, shared by every node when REDIS_URL is set. */
    rateLimits: RateLimits;
  }
}

export type BuildAppOptions = {
  ctx: AppContext;
  /** A pino destination stream; tests capture logs through it. */
  logStream?: NodeJS.WritableStream;
};

/** Plugins load in order: external → app → routes. Storage and bus are ready before this runs. */
export async function buildApp({ ctx, logStream }: BuildAppOptions): Promise<App> {
  const logger: FastifyServerOptions['logger'] = {
    level: ctx.config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(logStream ? { stream: logStream } : {}),
  };
  const app = Fastify({
    logger,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 1000 },
    // On close, cut every connection: a browser's keep-alive connection can otherwise
    // hold shutdown open indefinitely. Nothing is lost: sends are idempotent by
    // clientMessageId and sockets resume by cursor.
    forceCloseConnections: true,
    // Errors raised before routing (a URL that cannot be decoded, a giant path
    // segment) get the project's error shape too. An id that names nothing is a 404.
    frameworkErrors: (error, _request, reply) => {
      const notFound = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const body = {
        error: { code: notFound ? 'not_found' : 'bad_request', message: notFound ? 'not found' : 'bad URL' },
      };
      (reply as FastifyReply).status(notFound ? 404 : 400).send(body);
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as App;

  registerValidation(app);
  registerErrorHandling(app);
  await registerSecurityHeaders(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Signet',
        version: '0.1.0',
        description: 'Customer messaging for businesses whose customers log in.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, {
    options: { maxPayload: MAX_FRAME_BYTES, handleProtocols: chooseProtocol },
  });
  registerMetrics(app, ctx);
  registerClientCors(app, ctx);
  registerAuthenticationFirst(app, ctx);
  const rateLimits = await createRateLimits(ctx.config);
  app.addHook('onClose', async () => rateLimits.close());
  app.decorate('rateLimits', rateLimits);
  const gateway = new Gateway(ctx, app.log);
  app.addHook('preClose', async () => gateway.close());
  app.decorate('gateway', gateway);

  await app.register(healthRoutes, { ctx });
  await app.register(signingKeyRoutes, { ctx });
  await app.register(userRoutes, { ctx });
  await app.register(authEventRoutes, { ctx });
  await app.register(tokenRoutes, { ctx });
  await app.register(settingsRoutes, { ctx });
  await app.register(clientIdentityRoutes, { ctx });
  await app.register(conversationRoutes, { ctx });
  await app.register(clientMessagingRoutes, { ctx });
  await app.register(socketRoutes, { ctx, gateway });

  await app.register(helpAdminRoutes, { ctx });
  await app.register(helpClientRoutes, { ctx });
  await app.register(helpPageRoutes, { ctx });

  await app.register(webhookRoutes, { ctx });
  // Each node delivers webhooks from the shared outbox; it stops before storage closes.
  const webhooks = new Dispatcher(ctx, app.log);
  app.addHook('preClose', async () => webhooks.close());

  await app.register(agentRoutes, { ctx });
  await app.register(setupRoutes, { ctx });
  await app.register(widgetRoutes, { ctx });
  await app.register(webAppRoutes, { ctx });
  if (ctx.config.demo) await app.register(demoRoutes, { ctx });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
