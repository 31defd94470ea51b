import type { ReadReceipt } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { type LiveClientSession, sessionUserForWrite } from '../identity/client-sessions.ts';
import { isId } from '../ids.ts';
import { findConversation } from './conversations.repository.ts';
import { announce, recordEvents } from './event-log.ts';
import { findMessage, upsertReadMarker } from './messages.repository.ts';

export type Reader = { type: 'user'; live: LiveClientSession } | { type: 'agent'; id: string };

/**
 * Moves a read marker forward (never back) and tells both sides: the messenger's badge
 * and the inbox's unread markers follow it, and each side sees the other's receipt.
 * Only the end user's own conversations are readable by that user.
 */
export async function markRead(
  ctx: AppContext,
  reader: Reader,
  conversationId: string,
  messageId: string,
): Promise<ReadReceipt> {
  if (!isId(conversationId) || !isId(messageId)) throw new AppError('not_found', 'no such message');
  const { receipt, recorded } = await ctx.storage.db.transaction().execute(async (trx) => {
    // IDENTITY.md §7: an end user's marker is checked against the session's user at commit time.
    const by: ReadReceipt['by'] =
      reader.type === 'user'
        ? { type: 'user', id: (await sessionUserForWrite(trx, reader.live, ctx.now())).user.id }
        : { type: 'agent', id: reader.id };
    const conversation = await findConversation(trx, conversationId);
    if (!conversation || (by.type === 'user' && conversation.user_id !== by.id)) {
      throw new AppError('not_found', 'no such conversation');
    }
    const message = await findMessage(trx, messageId);
    if (!message || message.conversation_id !== conversation.id)
      throw new AppError('not_found', 'no such message');
    const now = ctx.now();
    const receipt: ReadReceipt = {
      conversationId,
      messageId,
      by,
    };
    const moved = await upsertReadMarker(
      trx,
      conversationId,
      reader.type === 'user' ? 'user' : 'agents',
      messageId,
      now,
    );
    const recorded = moved
      ? await recordEvents(
          trx,
          { userId: conversation.user_id, inbox: true },
          [{ type: 'read', ...receipt }],
          now,
        )
      : [];
    return { receipt, recorded };
  });
  await announce(ctx, recorded);
  return receipt;
}
