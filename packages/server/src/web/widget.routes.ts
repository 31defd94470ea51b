import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/types.ts';

/** Built by `npm install` (the root `prepare` script) or `npm run build`. */
export const WIDGET_FILE = resolve(import.meta.dirname, '../../../widget/dist/widget.js');

/** `/widget.js`: the messenger, one file, cacheable and revalidated by ETag. */
export async function widgetRoutes(app: App, _options: { ctx: AppContext }): Promise<void> {
  let cached: { body: Buffer; etag: string } | undefined;
  app.get('/widget.js', { schema: { hide: true } }, async (request, reply) => {
    if (!cached) {
      const body = await readFile(WIDGET_FILE).catch(() => undefined);
      if (!body) throw new AppError('unavailable', 'the widget is not built; run `npm run build`');
      cached = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
    }
    reply.header('content-type', 'text/javascript; charset=utf-8');
    reply.header('cache-control', 'public, max-age=300');
    reply.header('etag', cached.etag);
    if (request.headers['if-none-match'] === cached.etag) return reply.status(304).send();
    return reply.send(cached.body);
  });
}
