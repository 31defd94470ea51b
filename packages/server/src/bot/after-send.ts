import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.ts';
import type { SentMessage } from '../messaging/send-user-message.ts';
import { advanceBot, continueBotAfterLogin } from './advance-bot.ts';

/**
 * The bot hears each new user message once it is stored. It runs before the sender's
 * ack, so one device's messages reach it in order; its failure never fails the send.
 */
export async function botHearsMessage(
  ctx: AppContext,
  log: FastifyBaseLogger,
  sent: SentMessage,
): Promise<void> {
  if (!sent.created) return;
  const trigger = sent.startedConversation
    ? ({ kind: 'conversation_started' } as const)
    : ({ kind: 'user_message', text: sent.message.text } as const);
  await advanceBot(ctx, sent.message.conversationId, trigger).catch((error: unknown) =>
    log.error({ err: error }, 'bot step failed'),
  );
}

export async function botHearsLogin(ctx: AppContext, log: FastifyBaseLogger, userId: string): Promise<void> {
  await continueBotAfterLogin(ctx, userId).catch((error: unknown) =>
    log.error({ err: error }, 'bot step failed'),
  );
}
