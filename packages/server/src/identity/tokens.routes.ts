import { InspectTokenBody, TokenInspection } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { inspectToken } from './inspect-token.ts';

/** The token debugger (admins): what is wrong with a token, and who it would log in as. */
export async function tokenRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  app.post(
    '/v1/tokens/inspect',
    {
      preHandler: requireStaff(ctx, 'admin'),
      // As for logins: an oversized token is answered token_too_large, not cut off by a 413.
      bodyLimit: 2 * 1024 * 1024,
      schema: { tags: ['tokens'], body: InspectTokenBody, response: responses({ 200: TokenInspection }) },
    },
    async (request) => inspectToken(ctx, request.body.jwt),
  );
}
