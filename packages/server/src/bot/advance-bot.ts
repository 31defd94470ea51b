import type { Settings, StoredEvent } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { withConflictRetry } from '../db/conflicts.ts';
import type { Dialect } from '../db/database.ts';
import type { Executor } from '../db/executor.ts';
import type { BotStateRow, MessageRow } from '../db/schema.ts';
import { attachEmail } from '../identity/identities.ts';
import { findUser, listIdentities, updateUser } from '../identity/users.repository.ts';
import { newId } from '../ids.ts';
import { appendMessage } from '../messaging/append-message.ts';
import {
  findConversation,
  listConversationsOfUser,
  updateConversation,
} from '../messaging/conversations.repository.ts';
import { announce, recordEvents } from '../messaging/event-log.ts';
import { conversationView } from '../messaging/views.ts';
import { metrics } from '../metrics/metrics.ts';
import { currentSettings } from '../settings/settings.ts';
import { conversationsAwaitingDetails, findBotState, saveBotState } from './bot-states.repository.ts';
import { type PlaceholderValues, renderPlaceholders } from './placeholders.ts';
import { answeredYes, suggestArticles } from './suggest-articles.ts';

export type BotTrigger =
  | { kind: 'conversation_started' }
  | { kind: 'user_message'; text: string }
  | { kind: 'logged_in' };

const BOT_NAME = 'Assistant';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const QUESTIONS = {
  name: 'What name should we use for you?',
  email: 'What email address can we reach you at?',
} as const;
const RETRY_EMAIL = "That doesn't look like an email address. Could you check it?";
const GLAD_IT_HELPED = 'Glad that helped! Write to us any time.';

type Step = Settings['botFlow']['steps'][number];
type Field = 'name' | 'email';

/**
 * Moves the bot on in one conversation, from where the database says it stands: so a
 * reload, another device or a restarted server continues rather than starts over.
 * Only what the bot does not know is asked; after a hand-over it stays silent until
 * the conversation is solved (a follow-up starts the flow afresh).
 */
export async function advanceBot(
  ctx: AppContext,
  conversationId: string,
  trigger: BotTrigger,
): Promise<void> {
  const { botFlow } = await currentSettings(ctx);
  if (botFlow.steps.length === 0) return;
  // One plain read decides most messages: no state (the flow starts only with a
  // conversation) or a finished one (no state leaves handed_over or done) means silence,
  // with no transaction. The transaction below reads the state again before moving it.
  const current = await findBotState(ctx.storage.db, conversationId);
  if (current ? isFinished(current) : trigger.kind !== 'conversation_started') return;
  const recorded = await withConflictRetry(() =>
    ctx.storage.db.transaction().execute(async (trx) => {
      const conversation = await findConversation(trx, conversationId);
      if (!conversation || conversation.status === 'solved') return [];
      const saved = await findBotState(trx, conversationId);
      if (!saved && trigger.kind !== 'conversation_started') return [];
      const state: BotStateRow = saved ?? {
        conversation_id: conversationId,
        step: 0,
        status: 'running',
        awaiting: null,
        version: 0,
        updated_at: ctx.now(),
      };
      if (isFinished(state)) return [];

      const now = ctx.now();
      const posts: string[] = [];
      const userId = conversation.user_id;
      const outcome = { solved: false };
      const proceed = await consumeInput(trx, state, trigger, botFlow.steps, userId, posts, now, outcome);
      const where = { dialect: ctx.storage.dialect, conversationId };
      if (proceed) await runSteps(trx, state, botFlow.steps, userId, posts, where);
      if (
        !(await saveBotState(trx, { ...state, version: state.version + 1, updated_at: now }, saved?.version))
      ) {
        return []; // another node moved this conversation's bot on first
      }
      if (posts.length === 0 && !outcome.solved) return [];

      const events: StoredEvent[] = [];
      for (const [i, text] of posts.entries()) {
        const row: MessageRow = {
          id: newId(now + i),
          conversation_id: conversationId,
          user_id: userId,
          author_type: 'bot',
          author_id: null,
          author_name: BOT_NAME,
          text,
          authenticated: 0,
          client_message_id: null,
          created_at: now + i,
        };
        events.push({ type: 'message.created', message: await appendMessage(trx, row) });
      }
      if (outcome.solved) {
        // HELP.md "Bot": a suggestion that answered the question solves the conversation.
        const changes = { status: 'solved' as const, updated_at: now, activity_at: now };
        await updateConversation(trx, conversationId, changes);
        events.push({
          type: 'conversation.updated',
          conversation: conversationView({ ...conversation, ...changes }),
        });
      }
      return recordEvents(trx, { userId, inbox: true }, events, now);
    }),
  );
  await announce(ctx, recorded);
  metrics.botMessagesStored(recorded.length);
}

/** After a login mid-form, the bot skips what the token told us. */
export async function continueBotAfterLogin(ctx: AppContext, userId: string): Promise<void> {
  const conversations = await listConversationsOfUser(ctx.storage.db, userId, 20);
  const waiting = await conversationsAwaitingDetails(
    ctx.storage.db,
    conversations.map((c) => c.id),
  );
  for (const conversationId of waiting) await advanceBot(ctx, conversationId, { kind: 'logged_in' });
}

/** Applies an answer the bot was waiting for. Returns whether the flow may run on. */
async function consumeInput(
  db: Executor,
  state: BotStateRow,
  trigger: BotTrigger,
  steps: Step[],
  userId: string,
  posts: string[],
  now: number,
  outcome: { solved: boolean },
): Promise<boolean> {
  if (state.status === 'running') return true;
  if (state.status === 'waiting_articles') {
    if (trigger.kind !== 'user_message') return false;
    if (answeredYes(trigger.text)) {
      posts.push(GLAD_IT_HELPED);
      state.status = 'done';
      outcome.solved = true;
      return false;
    }
    state.step += 1;
    state.status = 'running';
    return true;
  }
  if (state.status === 'waiting_details') {
    if (trigger.kind === 'logged_in') {
      state.status = 'running';
      state.awaiting = null;
      return true;
    }
    if (trigger.kind !== 'user_message') return false;
    const answer = trigger.text.trim();
    if (state.awaiting === 'email' || state.awaiting === 'email_again') {
      if (!EMAIL.test(answer) || answer.length > 254) {
        // Ask once more; a visitor who would rather just talk is not nagged: the bot moves on.
        if (state.awaiting === 'email') {
          posts.push(RETRY_EMAIL);
          state.awaiting = 'email_again';
          return false;
        }
        state.step += 1;
      } else {
        // IDENTITY.md §3: a typed email is unverified, source `form`; it never merges or takes over.
        await attachEmail(db, userId, answer, false, 'form', now);
      }
    } else if (state.awaiting === 'name') {
      await updateUser(db, userId, { name: answer.slice(0, 255), updated_at: now });
    }
    state.status = 'running';
    state.awaiting = null;
    return true;
  }
  if (state.status === 'waiting_choice') {
    if (trigger.kind !== 'user_message') return false;
    const step = steps[state.step];
    const answer = trigger.text.trim().toLowerCase();
    const choices = step?.choices ?? [];
    const choice = choices.find((c, i) => c.label.toLowerCase() === answer || String(i + 1) === answer);
    if (!choice) {
      posts.push(`Please pick one of: ${choices.map((c) => c.label).join(', ')}`);
      return false;
    }
    if (choice.reply) posts.push(renderPlaceholders(choice.reply, await placeholderValues(db, userId)));
    state.step += 1;
    state.status = choice.handover ? 'handed_over' : 'running';
    return !choice.handover;
  }
  return false;
}

async function runSteps(
  db: Executor,
  state: BotStateRow,
  steps: Step[],
  userId: string,
  posts: string[],
  where: { dialect: Dialect; conversationId: string },
): Promise<void> {
  while (state.status === 'running' && state.step < steps.length) {
    const step = steps[state.step]!;
    const values = await placeholderValues(db, userId);
    switch (step.kind) {
      case 'message':
        posts.push(renderPlaceholders(step.text ?? '', values));
        state.step += 1;
        break;
      case 'ask_details': {
        const missing = (step.fields ?? []).filter((field) => !known(field, values));
        if (missing.length === 0) {
          state.step += 1;
          break;
        }
        if (step.text && !posts.length && state.awaiting === null)
          posts.push(renderPlaceholders(step.text, values));
        const field = missing[0]!;
        posts.push(QUESTIONS[field]);
        state.status = 'waiting_details';
        state.awaiting = field;
        break;
      }
      case 'choices':
        posts.push(
          `${renderPlaceholders(step.text ?? '', values)}\n${(step.choices ?? []).map((c, i) => `${i + 1}. ${c.label}`).join('\n')}`,
        );
        state.status = 'waiting_choice';
        break;
      case 'handover':
        if (step.text) posts.push(renderPlaceholders(step.text, values));
        state.status = 'handed_over';
        break;
      case 'suggest_articles': {
        const text = step.text && renderPlaceholders(step.text, values);
        const offer = await suggestArticles(
          db,
          where.dialect,
          where.conversationId,
          userId,
          step.limit ?? 3,
          text,
        );
        // Nothing the customer may read matches: the flow goes on without a word.
        if (!offer) {
          state.step += 1;
          break;
        }
        posts.push(offer);
        state.status = 'waiting_articles';
        break;
      }
    }
  }
  if (state.status === 'running') state.status = 'done';
}

const isFinished = (state: BotStateRow) => state.status === 'handed_over' || state.status === 'done';

/** What the bot may say about the user: the verified email first, else one they typed. */
async function placeholderValues(db: Executor, userId: string): Promise<PlaceholderValues> {
  const user = await findUser(db, userId);
  const identities = await listIdentities(db, [userId]);
  const emails = identities.filter((i) => i.type === 'email');
  return {
    name: user?.name ?? null,
    email: (emails.find((i) => i.verified === 1) ?? emails[0])?.value ?? null,
    externalId: identities.find((i) => i.type === 'external_id')?.value ?? null,
    authenticated: user?.authenticated === 1,
  };
}

function known(field: Field, values: PlaceholderValues): boolean {
  return field === 'name' ? Boolean(values.name?.trim()) : values.email !== null;
}
