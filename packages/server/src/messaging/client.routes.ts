import {
  ClientHistory,
  ClientMessagesPage,
  ClientPageQuery,
  ConversationParams,
  Message,
  ReadBody,
  SendMessageBody,
} from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import { botHearsMessage } from '../bot/after-send.ts';
import type { AppContext } from '../context.ts';
import { clientSessionOf } from '../http/authenticate-first.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { clientHistory, clientMessages } from './client-history.ts';
import { markRead } from './mark-read.ts';
import { sendUserMessage } from './send-user-message.ts';

/** The messenger's messaging API: a session only ever sees its own user's conversations. */
export async function clientMessagingRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const tags = ['client'];

  app.get(
    '/v1/client/conversations',
    {
      schema: { tags, querystring: ClientPageQuery, response: responses({ 200: ClientHistory }) },
    },
    async (request) => clientHistory(ctx, clientSessionOf(request), request.query),
  );

  app.get(
    '/v1/client/conversations/:id/messages',
    {
      schema: {
        tags,
        params: ConversationParams,
        querystring: ClientPageQuery,
        response: responses({ 200: ClientMessagesPage }),
      },
    },
    async (request) => clientMessages(ctx, clientSessionOf(request), request.params.id, request.query),
  );

  app.post(
    '/v1/client/messages',
    { schema: { tags, body: SendMessageBody, response: responses({ 200: Message, 201: Message }) } },
    async (request, reply) => {
      // Authenticated before the body was read (http/authenticate-first.ts).
      const live = clientSessionOf(request);
      // One bucket per session across HTTP and WebSocket sends.
      await app.rateLimits.messages.take(live.session.id, 'too many messages; slow down');
      const sent = await sendUserMessage(ctx, live, request.body);
      await botHearsMessage(ctx, request.log, sent);
      return reply.status(sent.created ? 201 : 200).send(sent.message);
    },
  );

  app.post(
    '/v1/client/read',
    { schema: { tags, body: ReadBody, response: responses({ 204: Type.Null() }) } },
    async (request, reply) => {
      const live = clientSessionOf(request);
      await markRead(ctx, { type: 'user', live }, request.body.conversationId, request.body.messageId);
      return reply.status(204).send(null);
    },
  );
}
