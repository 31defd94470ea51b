import { AuthEvent, AuthEventStats, AuthEventStatsQuery, ListAuthEventsQuery, Page } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { authEventStats } from './auth-event-stats.ts';
import { listAuthEvents } from './list-auth-events.ts';

export async function authEventRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  app.get(
    '/v1/auth-events',
    {
      preHandler: requireStaff(ctx, 'admin'),
      schema: {
        tags: ['auth log'],
        querystring: ListAuthEventsQuery,
        response: responses({ 200: Page(AuthEvent) }),
      },
    },
    async (request) => listAuthEvents(ctx, request.query),
  );

  app.get(
    '/v1/auth-events/stats',
    {
      preHandler: requireStaff(ctx, 'admin'),
      schema: {
        tags: ['auth log'],
        querystring: AuthEventStatsQuery,
        response: responses({ 200: AuthEventStats }),
      },
    },
    async (request) => authEventStats(ctx, request.query.window),
  );
}
