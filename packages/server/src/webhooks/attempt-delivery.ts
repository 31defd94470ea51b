import type { AppContext } from '../context.ts';
import { newId } from '../ids.ts';
import { insertAttempt } from './delivery-log.repository.ts';
import { disableEndpoint, findEndpoint, noteFailure, noteSuccess } from './endpoints.repository.ts';
import { dropDelivery, findDeliveryToSend, settleDelivery } from './outbox.repository.ts';
import { postWebhook } from './post-webhook.ts';
import { signatureHeader } from './signature.ts';

export const TIMEOUT_MS = 15_000;
/** WEBHOOKS.md: nothing but failures for this long disables the endpoint. */
export const FAILING_DISABLES_AFTER_MS = 5 * 24 * 3600_000;

/**
 * One attempt of a delivery this node holds the lease on: sign, POST, record the
 * attempt, then delivered, or the next attempt per the schedule (`Retry-After` on 429
 * and 503 is honoured), or failed. A 410 disables the endpoint. Returns when the
 * delivery is next due, if it is.
 */
export async function attemptDelivery(
  ctx: AppContext,
  deliveryId: string,
  owner: string,
  signal: AbortSignal,
): Promise<number | null> {
  const db = ctx.storage.db;
  const delivery = await findDeliveryToSend(db, deliveryId);
  const endpoint = delivery && (await findEndpoint(db, delivery.endpoint_id));
  if (!delivery || !endpoint) {
    // Its event was erased, or its endpoint deleted: nothing is left to send.
    if (delivery) await dropDelivery(db, deliveryId);
    return null;
  }
  const startedAt = ctx.now();
  const secrets = [ctx.masterKey.decrypt(endpoint.secret_sealed)];
  if (endpoint.previous_secret_sealed && (endpoint.previous_secret_until ?? 0) > startedAt)
    secrets.push(ctx.masterKey.decrypt(endpoint.previous_secret_sealed));
  // The same bytes on every attempt: the body is built from stored fields only.
  const body = `{"id":${JSON.stringify(delivery.event_id)},"type":${JSON.stringify(delivery.event_type)},"createdAt":"${new Date(delivery.event_created_at).toISOString()}","data":${delivery.event_data},"sequence":${delivery.event_seq}}`;
  const timestamp = Math.floor(startedAt / 1000);
  const result = await postWebhook(
    endpoint.url,
    {
      'content-type': 'application/json',
      'user-agent': 'Signet-Webhooks/1',
      'webhook-id': delivery.event_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(delivery.event_id, timestamp, body, secrets),
    },
    body,
    { timeoutMs: TIMEOUT_MS, allowPrivate: ctx.config.webhookAllowPrivate, signal },
  );
  // Shut down mid-request: no verdict; the lease runs out and any node tries again.
  if (signal.aborted) return null;

  const now = ctx.now();
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  const attempts = delivery.attempt_count + 1;
  const schedule = ctx.config.webhookRetryScheduleMs;
  let next: number | null = null;
  if (!ok && result.status !== 410 && attempts <= schedule.length) {
    next = now + Math.max(schedule[attempts - 1]!, result.retryAfterMs ?? 0);
  }
  await db.transaction().execute(async (trx) => {
    await insertAttempt(trx, {
      id: newId(now),
      delivery_id: delivery.id,
      endpoint_id: endpoint.id,
      at: startedAt,
      http_status: result.status,
      duration_ms: result.durationMs,
      response: result.response,
      error: result.error,
    });
    await settleDelivery(trx, delivery.id, owner, {
      status: ok ? 'delivered' : next === null ? 'failed' : 'pending',
      attempt_count: attempts,
      next_attempt_at: next,
      updated_at: now,
    });
    if (ok) return noteSuccess(trx, endpoint.id);
    if (result.status === 410) return disableEndpoint(trx, endpoint.id, 'gone', now);
    const failingSince = await noteFailure(trx, endpoint.id, now);
    if (failingSince !== null && now - failingSince >= FAILING_DISABLES_AFTER_MS)
      await disableEndpoint(trx, endpoint.id, 'failing', now);
  });
  return next;
}
