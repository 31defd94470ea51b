import { createServer, type Server } from 'node:http';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import type { App } from '../http/types.ts';
import { databaseUp, enableMetrics, metrics, redisUp, registry } from './metrics.ts';

const PING_TIMEOUT_MS = 1000;

/**
 * Request metrics for every route, and `/metrics` on the main port when METRICS=1. There
 * it needs an admin API token: the main port is the public one, and the figures (login
 * failure reasons, traffic per route) are not for everyone. A separate METRICS_PORT
 * listener (startMetricsListener) needs none: it listens on loopback unless told otherwise.
 */
export function registerMetrics(app: App, ctx: AppContext): void {
  const { metricsOnMainPort, metricsPort } = ctx.config;
  if (!metricsOnMainPort && metricsPort === undefined) return;
  enableMetrics();
  app.addHook('onResponse', async (request, reply) => {
    // Route templates, never raw URLs: one series per route, whatever ids are in the path.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpResponse(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
  if (!metricsOnMainPort) return;
  app.get(
    '/metrics',
    { schema: { hide: true }, preHandler: requireStaff(ctx, 'admin') },
    async (_request, reply) => {
      const text = await scrape(ctx);
      return reply.type(registry.contentType).send(text);
    },
  );
}

/** The second listener: `/metrics` only, no credentials, on METRICS_HOST (loopback by default). */
export async function startMetricsListener(ctx: AppContext, port: number, host: string): Promise<Server> {
  enableMetrics();
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    scrape(ctx).then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n'),
    );
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  return server;
}

/** Health is measured at scrape time, so a dead database shows as 0 while it is dead. */
async function scrape(ctx: AppContext): Promise<string> {
  databaseUp.set((await pingWithin(ctx, PING_TIMEOUT_MS)) ? 1 : 0);
  redisUp.set((ctx.bus as { connected?: boolean }).connected === false ? 0 : 1);
  return registry.metrics();
}

async function pingWithin(ctx: AppContext, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(false), ms);
  });
  try {
    return await Promise.race([ctx.storage.ping().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
