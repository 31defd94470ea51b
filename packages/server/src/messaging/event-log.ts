import type { StoredEvent } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/executor.ts';
import { metrics } from '../metrics/metrics.ts';
import { webhookChangesOf, writeWebhookEvents } from '../webhooks/outbox.ts';
import { appendEvents } from './events.repository.ts';

/** Who receives an event: one end user's devices, the agents' inbox, or both. */
export type Audience = { userId: string | null; inbox: boolean };

export type Recorded = Audience & { cursor: number };

/**
 * Writes events to the log in the caller's transaction (call it last: on PostgreSQL it
 * holds the log's lock until commit). Returns what `announce` needs after commit.
 */
export async function recordEvents(
  db: Executor,
  audience: Audience,
  events: StoredEvent[],
  now: number,
): Promise<Recorded[]> {
  return recordMany(db, [{ audience, events, now }]);
}

/** Events one writer leaves for the log, stamped `now`. */
export type PendingEvents = { audience: Audience; events: StoredEvent[]; now: number };

/** Several writers' events in one insert (a group commit's batch), in the order given. */
export async function recordMany(db: Executor, batches: PendingEvents[]): Promise<Recorded[]> {
  const audiences: Audience[] = [];
  const rows = batches.flatMap(({ audience, events, now }) =>
    events.map((event) => {
      audiences.push(audience);
      return {
        user_id: audience.userId,
        inbox: audience.inbox ? 1 : 0,
        type: event.type,
        payload: JSON.stringify(event),
        created_at: now,
      } as const;
    }),
  );
  const { cursors, webhooks } = await appendEvents(db, rows);
  // WEBHOOKS.md "Outbox": the same events, for webhooks, in the same transaction.
  const changes = webhooks
    ? batches.flatMap(({ audience, events, now }) => webhookChangesOf(audience.userId, events, now))
    : [];
  if (changes.length > 0) await writeWebhookEvents(db, changes, changes[0]!.at!);
  return cursors.map((cursor, i) => ({ ...audiences[i]!, cursor }));
}

/** After commit: tell every node that these audiences have new events. */
export async function announce(ctx: AppContext, recorded: Recorded[]): Promise<void> {
  if (recorded.length === 0) return;
  metrics.eventsCommitted(recorded);
  const userIds = [...new Set(recorded.flatMap((r) => (r.userId ? [r.userId] : [])))];
  const inbox = recorded.some((r) => r.inbox);
  const cursor = Math.max(...recorded.map((r) => r.cursor));
  await ctx.bus.publish({ type: 'events', userIds, inbox, cursor });
}
