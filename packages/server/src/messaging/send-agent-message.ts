import type { AgentReplyBody } from '@signet/protocol';
import type { Principal } from '../agents/principal.ts';
import type { AppContext } from '../context.ts';
import { groupCommit } from '../db/group-commit.ts';
import { AppError } from '../errors.ts';
import { isId, newId } from '../ids.ts';
import { metrics } from '../metrics/metrics.ts';
import { appendMessage } from './append-message.ts';
import { findConversation } from './conversations.repository.ts';
import { findByClientMessageId, upsertReadMarker } from './messages.repository.ts';
import type { SentMessage } from './send-user-message.ts';
import { messageView } from './views.ts';

/** An agent's reply. Replying also marks the thread read for the team. */
export async function sendAgentMessage(
  ctx: AppContext,
  agent: Principal,
  conversationId: string,
  input: AgentReplyBody,
): Promise<SentMessage> {
  if (!isId(conversationId)) throw new AppError('not_found', 'no such conversation');
  // Keyed by conversation: one conversation's replies keep the order they were sent in.
  const sent = groupCommit(ctx).run<SentMessage>(conversationId, async (trx) => {
    if (input.clientMessageId !== undefined) {
      const existing = await findByClientMessageId(
        trx,
        { type: 'agent', id: agent.id },
        input.clientMessageId,
      );
      if (existing) return { value: { message: messageView(existing), created: false } };
    }
    const conversation = await findConversation(trx, conversationId);
    if (!conversation) throw new AppError('not_found', 'no such conversation');
    const now = ctx.now();
    const row = {
      id: newId(now),
      conversation_id: conversation.id,
      user_id: conversation.user_id,
      author_type: 'agent' as const,
      author_id: agent.id,
      author_name: agent.name,
      text: input.text,
      authenticated: 0 as const,
      client_message_id: input.clientMessageId ?? null,
      created_at: now,
    };
    const message = await appendMessage(trx, row);
    await upsertReadMarker(trx, conversation.id, 'agents', row.id, now);
    return {
      value: { message, created: true },
      events: {
        audience: { userId: conversation.user_id, inbox: true },
        events: [{ type: 'message.created', message }],
        now,
      },
    };
  });
  return sent.then(metrics.messageStored('agent'));
}
