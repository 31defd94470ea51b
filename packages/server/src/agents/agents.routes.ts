import {
  Agent,
  AgentLoginBody,
  ApiToken,
  CreateAgentBody,
  CreateApiTokenBody,
  CreatedApiToken,
  EmptyBody,
  Me,
  Page,
  PatchAgentBody,
} from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import { clearAgentCookie, setAgentCookie } from '../http/cookies.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { AGENT_SESSION_TTL_MS, signInAgent, signOutAgent } from './agent-sessions.ts';
import { createApiToken, deleteApiToken, listApiTokenViews } from './api-tokens.ts';
import { changeAgentRole, deleteAgent } from './change-agent.ts';
import { createAgent, listAgentViews } from './create-agent.ts';

/** Agent sign-in for the app, and the admin's agents and API tokens. */
export async function agentRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const staff = requireStaff(ctx);
  const admin = requireStaff(ctx, 'admin');
  const tags = ['agents'];

  app.post(
    '/v1/agent/login',
    { schema: { tags, body: AgentLoginBody, response: responses({ 200: Me }) } },
    async (request, reply) => {
      await app.rateLimits.agentSignIn.take(request.ip, 'too many sign-in attempts');
      const signedIn = await signInAgent(ctx, request.body.email, request.body.password);
      setAgentCookie(request, reply, signedIn.token, AGENT_SESSION_TTL_MS);
      return { agent: signedIn.agent, csrfToken: signedIn.csrfToken };
    },
  );

  app.get(
    '/v1/agent/me',
    { preHandler: staff, schema: { tags, response: responses({ 200: Me }) } },
    async (request) => {
      const session = request.agentSession;
      if (session) return { agent: session.agent, csrfToken: session.csrfToken };
      const p = request.principal!;
      return { agent: { id: p.id, email: null, name: p.name, role: p.role }, csrfToken: null };
    },
  );

  app.post(
    '/v1/agent/logout',
    { preHandler: staff, schema: { tags, body: EmptyBody, response: responses({ 204: Type.Null() }) } },
    async (request, reply) => {
      if (request.agentSession) await signOutAgent(ctx, request.agentSession.sessionId);
      clearAgentCookie(reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/agents',
    { preHandler: staff, schema: { tags, response: responses({ 200: Page(Agent) }) } },
    async () => ({
      data: await listAgentViews(ctx),
      nextCursor: null,
    }),
  );

  app.post(
    '/v1/agents',
    { preHandler: admin, schema: { tags, body: CreateAgentBody, response: responses({ 201: Agent }) } },
    async (request, reply) => reply.status(201).send(await createAgent(ctx, request.body)),
  );

  const AgentParams = Type.Object({ id: Type.String() });
  app.patch(
    '/v1/agents/:id',
    {
      preHandler: admin,
      schema: { tags, params: AgentParams, body: PatchAgentBody, response: responses({ 200: Agent }) },
    },
    async (request) => changeAgentRole(ctx, request.params.id, request.body.role),
  );

  app.delete(
    '/v1/agents/:id',
    { preHandler: admin, schema: { tags, params: AgentParams, response: responses({ 204: Type.Null() }) } },
    async (request, reply) => {
      await deleteAgent(ctx, request.params.id, request.principal!);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/api-tokens',
    { preHandler: admin, schema: { tags, response: responses({ 200: Page(ApiToken) }) } },
    async () => ({
      data: await listApiTokenViews(ctx),
      nextCursor: null,
    }),
  );

  app.post(
    '/v1/api-tokens',
    {
      preHandler: admin,
      schema: { tags, body: CreateApiTokenBody, response: responses({ 201: CreatedApiToken }) },
    },
    async (request, reply) => reply.status(201).send(await createApiToken(ctx, request.body)),
  );

  app.delete(
    '/v1/api-tokens/:id',
    {
      preHandler: admin,
      schema: { tags, params: Type.Object({ id: Type.String() }), response: responses({ 204: Type.Null() }) },
    },
    async (request, reply) => {
      await deleteApiToken(ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
