import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random bearer credential: `prefix_` + 32 random bytes, base64url. */
export function newBearerToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Bearer tokens carry 256 random bits, so one SHA-256 is enough to store them: there is
 * nothing to brute-force, and lookups stay a single indexed equality.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
