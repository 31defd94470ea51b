import type { Executor } from '../db/executor.ts';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { insertDeliveries, markFannedOut, takeUnfannedEvents } from './outbox.repository.ts';

const BATCH = 500;

/** Whether an endpoint subscribed to this type (WEBHOOKS.md: a list of types, or `["*"]`). */
export function wants(events: string[], type: string): boolean {
  return events.includes('*') || events.includes(type);
}

/**
 * Turns new outbox events into one pending delivery per enabled endpoint that wants
 * them (none for events older than the endpoint), in the caller's transaction. Any node
 * may run it: on PostgreSQL it skips events another node is fanning out, and a delivery
 * that already exists for (endpoint, event) is kept, so doing it twice sends nothing
 * twice. Returns how many events it handled.
 */
export async function fanOut(
  trx: Executor,
  endpoints: Pick<WebhookEndpointRow, 'id' | 'events' | 'created_at'>[],
  now: number,
  postgres: boolean,
): Promise<number> {
  const events = await takeUnfannedEvents(trx, BATCH, postgres);
  if (events.length === 0) return 0;
  const wanted = endpoints.map((e) => ({
    id: e.id,
    createdAt: e.created_at,
    events: JSON.parse(e.events) as string[],
  }));
  const deliveries: WebhookDeliveryRow[] = [];
  for (const event of events) {
    for (const endpoint of wanted) {
      if (event.created_at < endpoint.createdAt || !wants(endpoint.events, event.type)) continue;
      deliveries.push(newDelivery(endpoint.id, event.seq, now));
    }
  }
  await insertDeliveries(trx, deliveries);
  await markFannedOut(
    trx,
    events.map((e) => e.seq),
  );
  return events.length;
}

export function newDelivery(endpointId: string, eventSeq: number, now: number): WebhookDeliveryRow {
  return {
    id: newId(now),
    endpoint_id: endpointId,
    event_seq: eventSeq,
    status: 'pending',
    attempt_count: 0,
    next_attempt_at: now,
    lease_until: null,
    lease_owner: null,
    created_at: now,
    updated_at: now,
  };
}
