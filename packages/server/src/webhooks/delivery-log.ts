import type { ReplayWebhookBody, WebhookDelivery, WebhookDeliveryStatus } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { WebhookAttemptRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { iso, isoOrNull } from '../identity/user-view.ts';
import { isId } from '../ids.ts';
import {
  eventsBetween,
  findDelivery,
  type LoggedDelivery,
  listAttempts,
  listDeliveries,
  retryDeliveryNow,
} from './delivery-log.repository.ts';
import { wakeWebhooks } from './dispatcher.ts';
import { getEndpointRow } from './endpoints.ts';
import { newDelivery, wants } from './fan-out.ts';
import { insertWebhookEvents, requeueDeliveries } from './outbox.repository.ts';
import { newEventId } from './outbox.ts';

/** At most this many events per replay request; a longer range is replayed in parts. */
export const MAX_REPLAY = 10_000;
const ATTEMPTS_SHOWN = 10;

function deliveryView(row: LoggedDelivery, attempts: WebhookAttemptRow[]): WebhookDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.status === 'pending' ? isoOrNull(row.next_attempt_at) : null,
    createdAt: iso(row.created_at),
    attempts: attempts.slice(0, ATTEMPTS_SHOWN).map((a) => ({
      at: iso(a.at),
      httpStatus: a.http_status,
      durationMs: a.duration_ms,
      response: a.response,
      error: a.error,
    })),
  };
}

/** The delivery log, newest first; the cursor is the last delivery's id. */
export async function listEndpointDeliveries(
  ctx: AppContext,
  endpointId: string,
  query: {
    status?: WebhookDeliveryStatus | undefined;
    before?: string | undefined;
    limit?: number | undefined;
  },
): Promise<{ data: WebhookDelivery[]; nextCursor: string | null }> {
  await getEndpointRow(ctx, endpointId);
  if (query.before !== undefined && !isId(query.before))
    throw new AppError('invalid_cursor', 'before is not a delivery id');
  const limit = query.limit ?? 50;
  const rows = await listDeliveries(ctx.storage.db, endpointId, {
    status: query.status,
    before: query.before,
    limit,
  });
  const attempts = await listAttempts(
    ctx.storage.db,
    rows.map((r) => r.id),
  );
  const data = rows.map((row) =>
    deliveryView(
      row,
      attempts.filter((a) => a.delivery_id === row.id),
    ),
  );
  return { data, nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null };
}

/** Due now, same `webhook-id`, whatever happened before. */
export async function retryDelivery(
  ctx: AppContext,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  await getEndpointRow(ctx, endpointId);
  const found = isId(deliveryId) ? await findDelivery(ctx.storage.db, endpointId, deliveryId) : undefined;
  if (!found) throw new AppError('not_found', 'no such delivery');
  await retryDeliveryNow(ctx.storage.db, deliveryId, ctx.now());
  wakeWebhooks(ctx);
  return deliveryById(ctx, endpointId, deliveryId);
}

async function deliveryById(ctx: AppContext, endpointId: string, id: string): Promise<WebhookDelivery> {
  const [row] = await listDeliveries(ctx.storage.db, endpointId, { id, limit: 1 });
  if (!row) throw new AppError('not_found', 'no such delivery');
  return deliveryView(row, await listAttempts(ctx.storage.db, [id]));
}

/**
 * The endpoint's events in [since, until) go out again, each with its original
 * `webhook-id` (receivers that already have one may drop it: at-least-once).
 */
export async function replayEvents(
  ctx: AppContext,
  endpointId: string,
  body: ReplayWebhookBody,
): Promise<number> {
  const endpoint = await getEndpointRow(ctx, endpointId);
  const now = ctx.now();
  const since = Date.parse(body.since);
  const until = body.until === undefined ? now + 1 : Date.parse(body.until);
  if (!(since < until))
    throw new AppError('validation_failed', 'since must be before until', { field: 'since' });
  const events = JSON.parse(endpoint.events) as string[];
  const queued = await ctx.storage.db.transaction().execute(async (trx) => {
    const rows = (await eventsBetween(trx, since, until, MAX_REPLAY))
      .filter((e) => wants(events, e.type))
      .map((e) => newDelivery(endpoint.id, e.seq, now));
    await requeueDeliveries(trx, rows);
    return rows.length;
  });
  wakeWebhooks(ctx);
  return queued;
}

/** WEBHOOKS.md: a `webhook.test` event, to this endpoint only, now. */
export async function sendTestEvent(ctx: AppContext, endpointId: string): Promise<WebhookDelivery> {
  const endpoint = await getEndpointRow(ctx, endpointId);
  if (endpoint.enabled !== 1) throw new AppError('webhook_disabled', 'turn the endpoint on to test it');
  const now = ctx.now();
  const deliveryId = await ctx.storage.db.transaction().execute(async (trx) => {
    const [seq] = await insertWebhookEvents(trx, [
      {
        id: newEventId(now),
        type: 'webhook.test',
        user_id: null,
        data: JSON.stringify({ endpointId: endpoint.id }),
        created_at: now,
        fanned_out: 1,
      },
    ]);
    const delivery = newDelivery(endpoint.id, seq!, now);
    await requeueDeliveries(trx, [delivery]);
    return delivery.id;
  });
  wakeWebhooks(ctx);
  return deliveryById(ctx, endpoint.id, deliveryId);
}
