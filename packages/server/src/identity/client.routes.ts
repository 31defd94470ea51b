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
import { clientSessionOf } from '../http/authenticate-first.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { createAnonymousSession, endClientSession } from './client-sessions.ts';
import { loginWithToken } from './login.ts';
import { recordRefusedLogin } from './refused-login.ts';
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
      // IDENTITY.md §5: a body without a string `jwt` is a logged `malformed` attempt, not a bare 400.
      attachValidation: true,
      errorHandler: async (error, request) => {
        if (!isUnreadableBody(error)) throw error;
        await recordRefusedLogin(ctx, 'malformed', {
          ip: request.ip,
          userAgent: request.headers['user-agent'],
        });
        throw malformedLogin();
      },
      schema: { tags, body: LoginBody, response: responses({ 200: LoginResponse }) },
    },
    async (request) => {
      const client = { ip: request.ip, userAgent: request.headers['user-agent'] };
      try {
        await app.rateLimits.login.take(request.ip, 'too many login attempts; slow down');
      } catch (error) {
        if (error instanceof AppError) await recordRefusedLogin(ctx, 'rate_limited', client);
        throw error;
      }
      const jwt = (request.body as { jwt?: unknown } | null)?.jwt;
      if (request.validationError || typeof jwt !== 'string') {
        await recordRefusedLogin(ctx, 'malformed', client);
        throw malformedLogin();
      }
      const result = await loginWithToken(ctx, {
        jwt,
        sessionToken: bearerToken(request),
        ...client,
      });
      await botHearsLogin(ctx, request.log, result.user.id);
      return result;
    },
  );

  app.get(
    '/v1/client/session',
    { schema: { tags, response: responses({ 200: ClientSessionInfo }) } },
    async (request) => {
      const live = clientSessionOf(request);
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
      const live = clientSessionOf(request);
      const user = await submitDetails(ctx, live, request.body);
      return { user, authenticated: live.authenticated, kid: live.authenticated ? live.session.kid : null };
    },
  );

  app.post(
    '/v1/client/logout',
    { schema: { tags, body: Type.Optional(EmptyBody), response: responses({ 204: Type.Null() }) } },
    async (request, reply) => {
      await endClientSession(ctx, clientSessionOf(request));
      return reply.status(204).send(null);
    },
  );
}

const malformedLogin = () =>
  new AppError('invalid_token', 'the body needs a string `jwt`', { reason: 'malformed' });

/**
 * A login body that could not be read as JSON text, or holds text storage cannot (a NUL
 * byte, invalid UTF-8). Not one too large: that stays a 413.
 */
function isUnreadableBody(error: { code?: string }): boolean {
  return (
    (error instanceof AppError && (error.code === 'bad_request' || error.code === 'validation_failed')) ||
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
  );
}
