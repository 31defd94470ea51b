import type { Conversation, PatchConversationBody } from '@signet/protocol';
import { findAssignee } from '../agents/agents.repository.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { isId } from '../ids.ts';
import { findConversation, updateConversation } from './conversations.repository.ts';
import { announce, recordEvents } from './event-log.ts';
import { conversationView } from './views.ts';

/** Status and assignee, as agents change them. The assignee must be an agent or API token. */
export async function changeConversation(
  ctx: AppContext,
  id: string,
  patch: PatchConversationBody,
): Promise<Conversation> {
  if (!isId(id)) throw new AppError('not_found', 'no such conversation');
  const { conversation, recorded } = await ctx.storage.db.transaction().execute(async (trx) => {
    const current = await findConversation(trx, id);
    if (!current) throw new AppError('not_found', 'no such conversation');
    if (patch.assigneeId && !(isId(patch.assigneeId) && (await findAssignee(trx, patch.assigneeId)))) {
      throw new AppError('validation_failed', 'assigneeId names no agent', { field: 'assigneeId' });
    }
    const now = ctx.now();
    const changes = {
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.assigneeId !== undefined ? { assignee_id: patch.assigneeId } : {}),
      updated_at: now,
      activity_at: now,
    };
    await updateConversation(trx, id, changes);
    const conversation = conversationView({ ...current, ...changes });
    const recorded = await recordEvents(
      trx,
      { userId: current.user_id, inbox: true },
      [{ type: 'conversation.updated', conversation }],
      now,
    );
    return { conversation, recorded };
  });
  await announce(ctx, recorded);
  return conversation;
}
