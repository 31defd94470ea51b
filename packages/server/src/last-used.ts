/**
 * `lastUsedAt` of keys and tokens is kept to the minute: one write a minute per
 * credential, decided from the row already read, not an UPDATE on every request.
 */
export function isStale(lastUsedAt: number | null, now: number): boolean {
  return lastUsedAt === null || now - lastUsedAt >= 60_000;
}
