import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookEvent } from './webhook-event.ts';

/**
 * Standard Webhooks v1 verification (WEBHOOKS.md "Delivery"): the HMAC-SHA256 of
 * `{webhook-id}.{webhook-timestamp}.{body}` keyed by the secret's decoded bytes, in
 * a space-separated `webhook-signature` list (two during a secret rotation).
 */

/** Request headers as Node, Fetch (`Headers`) or a framework hands them over. */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Record<string, string | readonly string[] | undefined>;

export type VerifyWebhookOptions = {
  /** Seconds a delivery may be off from now, either way. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** The time to check against (tests). Default: now. */
  now?: Date;
};

export type WebhookErrorCode =
  | 'invalid_secret'
  | 'missing_header'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature'
  | 'invalid_body';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const SECRET_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/**
 * The delivery's parsed body once its signature and timestamp check out; otherwise a
 * WebhookVerificationError saying why. `rawBody` must be the bytes as received:
 * parsed-then-reserialized JSON is not what was signed.
 */
export function verifyWebhook<Event = WebhookEvent>(
  secret: string,
  headers: WebhookHeaders,
  rawBody: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): Event {
  const key = secretBytes(secret);
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    throw new WebhookVerificationError(
      'invalid_body',
      'rawBody must be the request body as received (a string or Buffer), not parsed JSON',
    );
  }
  checkTimestamp(timestamp, options);

  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  if (!signatures.split(' ').some((entry) => matches(entry, expected))) {
    throw new WebhookVerificationError(
      'no_matching_signature',
      'no v1 signature in webhook-signature matches this body with this secret',
    );
  }
  try {
    return JSON.parse(body.toString('utf8')) as Event;
  } catch {
    throw new WebhookVerificationError('invalid_body', 'the signed body is not JSON');
  }
}

function secretBytes(secret: string): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) {
    throw new WebhookVerificationError(
      'invalid_secret',
      'the secret must be the endpoint secret as shown at creation, "whsec_" + base64',
    );
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded.length === 0 || !BASE64.test(encoded)) {
    throw new WebhookVerificationError('invalid_secret', 'the secret after "whsec_" is not base64');
  }
  return Buffer.from(encoded, 'base64');
}

function header(headers: WebhookHeaders, name: string): string {
  let value: string | readonly string[] | null | undefined;
  if (typeof headers?.get === 'function') value = (headers as { get(n: string): string | null }).get(name);
  else if (headers && typeof headers === 'object') {
    const record = headers as Record<string, string | readonly string[] | undefined>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  const text = typeof value === 'string' ? value : Array.isArray(value) ? value[0] : undefined;
  if (typeof text !== 'string' || text.length === 0) {
    throw new WebhookVerificationError('missing_header', `the ${name} header is missing`);
  }
  return text;
}

function checkTimestamp(timestamp: string, options: VerifyWebhookOptions): void {
  if (!/^\d{1,15}$/.test(timestamp)) {
    throw new WebhookVerificationError('invalid_timestamp', 'webhook-timestamp is not whole seconds');
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const sent = Number(timestamp);
  if (sent < now - tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `webhook-timestamp is ${now - sent} s old, over the ${tolerance} s tolerance (a replay?)`,
    );
  }
  if (sent > now + tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `webhook-timestamp is ${sent - now} s in the future, over the ${tolerance} s tolerance`,
    );
  }
}

/** Constant-time over the MAC; other versions (`v1a`, …) are not ours to check. */
function matches(entry: string, expected: Buffer): boolean {
  const comma = entry.indexOf(',');
  if (comma < 0 || entry.slice(0, comma) !== 'v1') return false;
  const encoded = entry.slice(comma + 1);
  if (!BASE64.test(encoded)) return false;
  const given = Buffer.from(encoded, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
