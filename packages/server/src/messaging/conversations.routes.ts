import {
  AgentReadBody,
  AgentReplyBody,
  Conversation,
  ConversationParams,
  ListConversationsQuery,
  ListMessagesQuery,
  Message,
  Page,
  PatchConversationBody,
} from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { getConversation, listConversationMessages, listConversations } from './inbox.ts';
import { markRead } from './mark-read.ts';
import { sendAgentMessage } from './send-agent-message.ts';
import { changeConversation } from './update-conversation.ts';

/** The agent API for conversations (API.md): any agent or API token. */
export async function conversationRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const staff = requireStaff(ctx);
  const tags = ['conversations'];

  app.get(
    '/v1/conversations',
    {
      preHandler: staff,
      schema: { tags, querystring: ListConversationsQuery, response: responses({ 200: Page(Conversation) }) },
    },
    async (request) => listConversations(ctx, request.query, request.principal!.id),
  );

  app.get(
    '/v1/conversations/:id',
    {
      preHandler: staff,
      schema: { tags, params: ConversationParams, response: responses({ 200: Conversation }) },
    },
    async (request) => getConversation(ctx, request.params.id),
  );

  app.patch(
    '/v1/conversations/:id',
    {
      preHandler: staff,
      schema: {
        tags,
        params: ConversationParams,
        body: PatchConversationBody,
        response: responses({ 200: Conversation }),
      },
    },
    async (request) => changeConversation(ctx, request.params.id, request.body),
  );

  app.get(
    '/v1/conversations/:id/messages',
    {
      preHandler: staff,
      schema: {
        tags,
        params: ConversationParams,
        querystring: ListMessagesQuery,
        response: responses({ 200: Page(Message) }),
      },
    },
    async (request) => listConversationMessages(ctx, request.params.id, request.query),
  );

  app.post(
    '/v1/conversations/:id/messages',
    {
      preHandler: staff,
      schema: {
        tags,
        params: ConversationParams,
        body: AgentReplyBody,
        response: responses({ 200: Message, 201: Message }),
      },
    },
    async (request, reply) => {
      const { message, created } = await sendAgentMessage(
        ctx,
        request.principal!,
        request.params.id,
        request.body,
      );
      return reply.status(created ? 201 : 200).send(message);
    },
  );

  app.post(
    '/v1/conversations/:id/read',
    {
      preHandler: staff,
      schema: {
        tags,
        params: ConversationParams,
        body: AgentReadBody,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await markRead(
        ctx,
        { type: 'agent', id: request.principal!.id },
        request.params.id,
        request.body.messageId,
      );
      return reply.status(204).send(null);
    },
  );
}
