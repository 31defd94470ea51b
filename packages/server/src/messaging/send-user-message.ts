import type { Message, SendMessageBody, StoredEvent } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/executor.ts';
import { groupCommit } from '../db/group-commit.ts';
import type { ConversationRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { claimsPrelude, type SessionClaim, sessionUserForWrite } from '../identity/client-sessions.ts';
import { newId } from '../ids.ts';
import { metrics } from '../metrics/metrics.ts';
import { currentSettings } from '../settings/settings.ts';
import { appendMessage } from './append-message.ts';
import { insertConversation, updateConversation } from './conversations.repository.ts';
import { findMessage, findSendContext } from './messages.repository.ts';
import { conversationView, messageView } from './views.ts';

/** `startedConversation`: this message opened a new conversation (the bot greets those). */
export type SentMessage = { message: Message; created: boolean; startedConversation?: boolean };

/**
 * An end user's message, stored in one transaction (shared with the other messages
 * waiting at that moment: see db/group-commit.ts) and acknowledged only after commit.
 * Idempotent on (user, clientMessageId): a retry answers with the original message.
 * The session is checked inside that transaction (a claim names it), so an ended
 * session's message is refused with its 401 code and a moved one lands on the survivor.
 * A message to a solved conversation starts a follow-up, unless the conversation was
 * solved within the `reopenSolvedWithinMinutes` window.
 */
export function sendUserMessage(
  ctx: AppContext,
  claim: SessionClaim,
  input: SendMessageBody,
): Promise<SentMessage> {
  // Queued before anything is awaited: a socket's messages enter the queue in the order
  // its frames arrived (see Connection.inOrder), and the queue keeps one user's order.
  const sent = groupCommit(ctx).run<SentMessage, SessionClaim>(
    claim.user.id,
    async (trx) => {
      const { reopenSolvedWithinMinutes } = await currentSettings(ctx, trx);
      // IDENTITY.md §7: the session's user at commit time, never a tombstone.
      const current = await sessionUserForWrite(trx, claim, ctx.now());
      const user = current.user;
      const found = await findSendContext(trx, user.id, input.clientMessageId, input.conversationId);
      if (found.duplicateId !== undefined) {
        const existing = (await findMessage(trx, found.duplicateId))!;
        return { value: { message: messageView(existing), created: false } };
      }

      const now = ctx.now();
      const events: StoredEvent[] = [];
      const conversation = await conversationFor(trx, user.id, found.conversation, {
        named: input.conversationId !== undefined,
        reopenWithinMinutes: reopenSolvedWithinMinutes,
        now,
        events,
      });
      const row = {
        id: newId(now),
        conversation_id: conversation.id,
        user_id: user.id,
        author_type: 'user' as const,
        author_id: user.id,
        author_name: user.name,
        text: input.text,
        // IDENTITY.md §3.5: taken from the sending session, at send time.
        authenticated: current.authenticated ? (1 as const) : (0 as const),
        client_message_id: input.clientMessageId,
        created_at: now,
      };
      const message = await appendMessage(trx, row);
      events.push({ type: 'message.created', message });
      const startedConversation = events.some((e) => e.type === 'conversation.created');
      return {
        value: { message, created: true, startedConversation },
        events: { audience: { userId: user.id, inbox: true }, events, now },
      };
    },
    { of: claimsPrelude, key: claim },
  );
  return sent.then(metrics.messageStored('user'));
}

/** The conversation a message goes to: `current` (named, or the newest), reopened, or a new one. */
async function conversationFor(
  db: Executor,
  userId: string,
  current: ConversationRow | undefined,
  how: { named: boolean; reopenWithinMinutes: number; now: number; events: StoredEvent[] },
): Promise<ConversationRow> {
  const { reopenWithinMinutes, now, events } = how;
  // Another user's conversation does not exist, as far as this session can tell.
  if (how.named && (!current || current.user_id !== userId))
    throw new AppError('not_found', 'no such conversation');

  if (current && current.status !== 'solved') {
    if (current.status === 'pending') {
      // The customer answered: the conversation needs the team again.
      const reopened = { ...current, status: 'open' as const, updated_at: now };
      await updateConversation(db, current.id, { status: 'open', updated_at: now });
      events.push({ type: 'conversation.updated', conversation: conversationView(reopened) });
      return reopened;
    }
    return current;
  }
  if (current && reopenWithinMinutes > 0 && now - current.updated_at <= reopenWithinMinutes * 60_000) {
    const reopened = { ...current, status: 'open' as const, updated_at: now };
    await updateConversation(db, current.id, { status: 'open', updated_at: now });
    events.push({ type: 'conversation.updated', conversation: conversationView(reopened) });
    return reopened;
  }
  // A brand-new question never reopens a solved ticket: it is a follow-up.
  const created: ConversationRow = {
    id: newId(now),
    user_id: userId,
    status: 'open',
    assignee_id: null,
    follow_up_of: current?.id ?? null,
    channel: 'messenger',
    created_at: now,
    updated_at: now,
    last_message_at: null,
    activity_at: now,
  };
  await insertConversation(db, created);
  events.push({ type: 'conversation.created', conversation: conversationView(created) });
  return created;
}
