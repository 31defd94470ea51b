import { Me, Onboarding, SetupBody, SetupState } from '@signet/protocol';
import { AGENT_SESSION_TTL_MS } from '../agents/agent-sessions.ts';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import { setAgentCookie } from '../http/cookies.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { createFirstAdmin, setupNeeded } from './create-first-admin.ts';
import { onboardingState } from './onboarding.ts';

/** First-run setup: the first admin, created with the one-time code from the server log. */
export async function setupRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const tags = ['setup'];

  app.get('/v1/setup', { schema: { tags, response: responses({ 200: SetupState }) } }, async () => ({
    needed: await setupNeeded(ctx),
  }));

  app.post(
    '/v1/setup',
    { schema: { tags, body: SetupBody, response: responses({ 200: Me }) } },
    async (request, reply) => {
      // Guessing the code costs what guessing a password does.
      await app.rateLimits.agentSignIn.take(request.ip, 'too many setup attempts');
      const signedIn = await createFirstAdmin(ctx, request.body);
      setAgentCookie(request, reply, signedIn.token, AGENT_SESSION_TTL_MS);
      return { agent: signedIn.agent, csrfToken: signedIn.csrfToken };
    },
  );

  app.get(
    '/v1/onboarding',
    { preHandler: requireStaff(ctx, 'admin'), schema: { tags, response: responses({ 200: Onboarding }) } },
    async () => onboardingState(ctx),
  );
}
