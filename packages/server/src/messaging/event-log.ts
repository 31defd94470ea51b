import type { StoredEvent } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/executor.ts';
import { appendEvent } from './events.repository.ts';

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
  const recorded: Recorded[] = [];
  for (const event of events) {
    const cursor = await appendEvent(db, {
      user_id: audience.userId,
      inbox: audience.inbox ? 1 : 0,
      type: event.type,
      payload: JSON.stringify(event),
      created_at: now,
    });
    recorded.push({ ...audience, cursor });
  }
  return recorded;
}

/** After commit: tell every node that these audiences have new events. */
export async function announce(ctx: AppContext, recorded: Recorded[]): Promise<void> {
  if (recorded.length === 0) return;
  const userIds = [...new Set(recorded.flatMap((r) => (r.userId ? [r.userId] : [])))];
  const inbox = recorded.some((r) => r.inbox);
  const cursor = Math.max(...recorded.map((r) => r.cursor));
  await ctx.bus.publish({ type: 'events', userIds, inbox, cursor });
}
