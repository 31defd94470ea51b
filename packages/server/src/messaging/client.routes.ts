import { ClientHistory, Message, ReadBody, SendMessageBody } from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import { botHearsMessage } from '../bot/after-send.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { bearerToken } from '../http/access.ts';
import type { RateLimiter } from '../http/rate-limit.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { requireLiveSession } from '../identity/client-sessions.ts';
import { clientHistory } from './client-history.ts';
import { markRead } from './mark-read.ts';
import { sendUserMessage } from './send-user-message.ts';

/** The messenger's messaging API: a session only ever sees its own user's conversations. */
export async function clientMessagingRoutes(
  app: App,
  { ctx, messageLimiter }: { ctx: AppContext; messageLimiter: RateLimiter },
): Promise<void> {
  const tags = ['client'];

  app.get(
    '/v1/client/conversations',
    { schema: { tags, response: responses({ 200: ClientHistory }) } },
    async (request) => clientHistory(ctx, await requireLiveSession(ctx, bearerToken(request))),
  );

  app.post(
    '/v1/client/messages',
    { schema: { tags, body: SendMessageBody, response: responses({ 200: Message, 201: Message }) } },
    async (request, reply) => {
      const live = await requireLiveSession(ctx, bearerToken(request));
      if (!messageLimiter.take(live.session.id))
        throw new AppError('rate_limited', 'too many messages; slow down');
      const sent = await sendUserMessage(ctx, live, request.body);
      await botHearsMessage(ctx, request.log, sent);
      return reply.status(sent.created ? 201 : 200).send(sent.message);
    },
  );

  app.post(
    '/v1/client/read',
    { schema: { tags, body: ReadBody, response: responses({ 204: Type.Null() }) } },
    async (request, reply) => {
      const live = await requireLiveSession(ctx, bearerToken(request));
      await markRead(ctx, { type: 'user', live }, request.body.conversationId, request.body.messageId);
      return reply.status(204).send(null);
    },
  );
}
