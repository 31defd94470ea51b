import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/types.ts';

/** Built by `npm install` (the root `prepare` script) or `npm run build`. */
export const WEB_DIST = resolve(import.meta.dirname, '../../../web/dist');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The agent and admin app at `/`: one HTML page and its hashed assets. */
export async function webAppRoutes(app: App, _options: { ctx: AppContext }): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const html = await readFile(resolve(WEB_DIST, 'index.html')).catch(() => undefined);
    if (!html) throw new AppError('unavailable', 'the agent app is not built; run `npm run build`');
    reply.header('cache-control', 'no-cache');
    // Its Content-Security-Policy and the other security headers: http/security-headers.ts.
    return reply.type('text/html; charset=utf-8').send(html);
  });
  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { schema: { hide: true } },
    async (request, reply) => {
      const { file } = request.params;
      if (!/^[\w.-]+$/.test(file) || !TYPES[extname(file)]) throw new AppError('not_found', 'no such asset');
      const body = await readFile(resolve(WEB_DIST, 'assets', file)).catch(() => undefined);
      if (!body) throw new AppError('not_found', 'no such asset');
      reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.type(TYPES[extname(file)]!).send(body);
    },
  );
}
