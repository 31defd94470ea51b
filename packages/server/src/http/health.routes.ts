import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { responses } from './responses.ts';
import type { App } from './types.ts';

const Health = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });

export async function healthRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  app.get('/healthz', { schema: { tags: ['health'], response: responses({ 200: Health }) } }, async () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    { schema: { tags: ['health'], response: responses({ 200: Health }) } },
    async (request) => {
      try {
        await ctx.storage.ping();
      } catch (error) {
        request.log.warn({ err: error }, 'storage unreachable');
        throw new AppError('unavailable', 'storage is unreachable');
      }
      return { status: 'ok' as const };
    },
  );
}
