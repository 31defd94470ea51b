import { createHmac, randomBytes } from 'node:crypto';

/** WEBHOOKS.md: `whsec_` + base64 of 32 random bytes, as Standard Webhooks verifiers expect. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The HMAC key is the secret's decoded bytes, not its text. */
function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/**
 * The `webhook-signature` header (Standard Webhooks v1): `v1,<base64 HMAC-SHA256 of
 * "{id}.{timestamp}.{body}">` per secret, space-separated during a rotation.
 */
export function signatureHeader(
  id: string,
  timestampSeconds: number,
  body: string,
  secrets: string[],
): string {
  const signed = `${id}.${timestampSeconds}.${body}`;
  return secrets
    .map((secret) => `v1,${createHmac('sha256', secretBytes(secret)).update(signed).digest('base64')}`)
    .join(' ');
}
