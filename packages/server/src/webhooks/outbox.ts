import type { StoredEvent, WebhookEventType } from '@signet/protocol';
import type { Executor } from '../db/executor.ts';
import { newId } from '../ids.ts';
import { anyEndpoint } from './endpoints.repository.ts';
import { insertWebhookEvents } from './outbox.repository.ts';

/** A change worth telling the business's backend about. */
export type WebhookChange = {
  type: WebhookEventType;
  userId: string | null;
  data: Record<string, unknown>;
  /** When it happened, if not the `now` given for the whole list. */
  at?: number;
};

/**
 * WEBHOOKS.md "Outbox": the events of a change are written in the caller's transaction,
 * so they commit with it or not at all; delivery happens later (dispatcher.ts). Without
 * any endpoint there is nobody to tell, and nothing is written.
 */
export async function recordWebhookEvents(
  db: Executor,
  changes: WebhookChange[] | (() => Promise<WebhookChange[]>),
  now: number,
): Promise<void> {
  if ((Array.isArray(changes) && changes.length === 0) || !(await anyEndpoint(db))) return;
  await writeWebhookEvents(db, Array.isArray(changes) ? changes : await changes(), now);
}

/** The outbox write itself, for a caller that already knows an endpoint exists. */
export async function writeWebhookEvents(db: Executor, list: WebhookChange[], now: number): Promise<void> {
  if (list.length === 0) return;
  await insertWebhookEvents(
    db,
    list.map((change) => ({
      id: newEventId(now),
      type: change.type,
      user_id: change.userId,
      data: JSON.stringify(change.data),
      created_at: change.at ?? now,
      fanned_out: 0,
    })),
  );
  outboxWrites.dispatchEvent(new Event('written'));
}

/**
 * Dispatchers in this process listen, so a change's events go out right after its
 * commit rather than at the next poll (messages also wake every node through the bus).
 */
export const outboxWrites = new EventTarget();

export function newEventId(now: number): string {
  return `evt_${newId(now).replaceAll('-', '')}`;
}

/** The webhook side of events the event log stores for sockets (messages, conversations). */
export function webhookChangesOf(userId: string | null, events: StoredEvent[], at: number): WebhookChange[] {
  const changes: WebhookChange[] = [];
  for (const event of events) {
    if (event.type === 'message.created') {
      changes.push({ type: event.type, userId, data: { message: event.message, userId }, at });
    } else if (event.type === 'conversation.created' || event.type === 'conversation.updated') {
      const conversation = event.conversation;
      changes.push({ type: event.type, userId: conversation.userId, data: { conversation }, at });
    }
  }
  return changes;
}
