import {
  AnonymousSession,
  ClientSessionInfo,
  EmptyBody,
  LoginBody,
  LoginResponse,
  SubmitDetailsBody,
} from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import { botHearsLogin } from '../bot/after-send.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { bearerToken } from '../http/access.ts';
import { RateLimiter } from '../http/rate-limit.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { createAnonymousSession, endClientSession, requireLiveSession } from './client-sessions.ts';
import { loginWithToken } from './login.ts';
import { submitDetails } from './submit-details.ts';
import { userView } from './user-view.ts';
import { listIdentities } from './users.repository.ts';

/**
 * A login body may hold a token far over the 8 KiB cap: it is still answered with
 * `token_too_large` and logged, rather than cut off as an anonymous 413.
 */
const LOGIN_BODY_LIMIT = 2 * 1024 * 1024;

export async function clientIdentityRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const tags = ['client'];
  const loginLimiter = new RateLimiter(ctx.config.loginRatePerMinute, 60_000);

  app.post(
    '/v1/client/sessions',
    { schema: { tags, body: Type.Optional(EmptyBody), response: responses({ 201: AnonymousSession }) } },
    async (_request, reply) => {
      const { sessionToken, user } = await createAnonymousSession(ctx);
      return reply
        .status(201)
        .send({ sessionToken, user: userView(user, []), authenticated: false as const });
    },
  );

  app.post(
    '/v1/client/login',
    {
      bodyLimit: LOGIN_BODY_LIMIT,
      schema: { tags, body: LoginBody, response: responses({ 200: LoginResponse }) },
    },
    async (request) => {
      if (!loginLimiter.take(request.ip))
        throw new AppError('rate_limited', 'too many login attempts; slow down');
      const result = await loginWithToken(ctx, {
        jwt: request.body.jwt,
        sessionToken: bearerToken(request),
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      });
      await botHearsLogin(ctx, request.log, result.user.id);
      return result;
    },
  );

  app.get(
    '/v1/client/session',
    { schema: { tags, response: responses({ 200: ClientSessionInfo }) } },
    async (request) => {
      const live = await requireLiveSession(ctx, bearerToken(request));
      const identities = await listIdentities(ctx.storage.db, [live.user.id]);
      return {
        user: userView(live.user, identities),
        authenticated: live.authenticated,
        kid: live.authenticated ? live.session.kid : null,
      };
    },
  );

  app.patch(
    '/v1/client/profile',
    { schema: { tags, body: SubmitDetailsBody, response: responses({ 200: ClientSessionInfo }) } },
    async (request) => {
      const live = await requireLiveSession(ctx, bearerToken(request));
      const user = await submitDetails(ctx, live, request.body);
      return { user, authenticated: live.authenticated, kid: live.authenticated ? live.session.kid : null };
    },
  );

  app.post(
    '/v1/client/logout',
    { schema: { tags, body: Type.Optional(EmptyBody), response: responses({ 204: Type.Null() }) } },
    async (request, reply) => {
      await endClientSession(ctx, bearerToken(request));
      return reply.status(204).send(null);
    },
  );
}
