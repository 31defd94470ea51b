import type { AppContext } from '../context.ts';
import type { Executor } from '../db/executor.ts';
import type { WebhookEndpointRow } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { insertAttempts } from './delivery-log.repository.ts';
import { disableEndpoint, noteFailure, noteSuccess } from './endpoints.repository.ts';
import { type DeliveryToSend, settleDelivery } from './outbox.repository.ts';
import { type PostResult, postWebhook } from './post-webhook.ts';
import { signatureHeader } from './signature.ts';

export const TIMEOUT_MS = 15_000;
/** WEBHOOKS.md: nothing but failures for this long disables the endpoint. */
export const FAILING_DISABLES_AFTER_MS = 5 * 24 * 3600_000;

export type Outcome = { delivery: DeliveryToSend; startedAt: number; result: PostResult };

/**
 * One attempt (WEBHOOKS.md "Delivery"): signed with the endpoint's secret, and during a
 * rotation's overlap with the previous one too; the body is built from stored fields
 * only, so every attempt sends the same bytes. Null when shut down mid-request: no
 * verdict, the lease runs out and any node tries again.
 */
export async function sendDelivery(
  ctx: AppContext,
  delivery: DeliveryToSend,
  endpoint: WebhookEndpointRow,
  signal: AbortSignal,
): Promise<Outcome | null> {
  const startedAt = ctx.now();
  const secrets = [ctx.masterKey.decrypt(endpoint.secret_sealed)];
  if (endpoint.previous_secret_sealed && (endpoint.previous_secret_until ?? 0) > startedAt)
    secrets.push(ctx.masterKey.decrypt(endpoint.previous_secret_sealed));
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
  return signal.aborted ? null : { delivery, startedAt, result };
}

/**
 * Records finished attempts in the caller's transaction (many at once: one commit for
 * a batch): delivered, or due again per the schedule (`Retry-After` on 429 and 503 is
 * honoured), or failed after the last retry. A 410 disables the endpoint, and so do 5
 * days of nothing but failures. Returns when the earliest retry falls due.
 */
export async function settleOutcomes(
  ctx: AppContext,
  trx: Executor,
  outcomes: Outcome[],
  owner: string,
): Promise<number | null> {
  const now = ctx.now();
  const schedule = ctx.config.webhookRetryScheduleMs;
  let earliest: number | null = null;
  const succeeded = new Set<string>();
  const failed = new Set<string>();
  const gone = new Set<string>();
  await insertAttempts(
    trx,
    outcomes.map(({ delivery, startedAt, result }) => ({
      id: newId(now),
      delivery_id: delivery.id,
      endpoint_id: delivery.endpoint_id,
      at: startedAt,
      http_status: result.status,
      duration_ms: result.durationMs,
      response: result.response,
      error: result.error,
    })),
  );
  for (const { delivery, result } of outcomes) {
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const attempts = delivery.attempt_count + 1;
    let next: number | null = null;
    if (!ok && result.status !== 410 && attempts <= schedule.length) {
      next = now + Math.max(schedule[attempts - 1]!, result.retryAfterMs ?? 0);
      earliest = Math.min(earliest ?? next, next);
    }
    await settleDelivery(trx, delivery.id, owner, {
      status: ok ? 'delivered' : next === null ? 'failed' : 'pending',
      attempt_count: attempts,
      next_attempt_at: next,
      updated_at: now,
    });
    (ok ? succeeded : result.status === 410 ? gone : failed).add(delivery.endpoint_id);
  }
  for (const id of succeeded) await noteSuccess(trx, id);
  for (const id of gone) await disableEndpoint(trx, id, 'gone', now);
  for (const id of failed) {
    if (succeeded.has(id)) continue;
    const failingSince = await noteFailure(trx, id, now);
    if (failingSince !== null && now - failingSince >= FAILING_DISABLES_AFTER_MS)
      await disableEndpoint(trx, id, 'failing', now);
  }
  return earliest;
}
