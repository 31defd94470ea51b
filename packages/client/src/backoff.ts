/** Exponential backoff with full jitter, so a restarted server is not hit by every client at once. */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** attempt);
  return Math.round(minMs / 2 + random() * (ceiling - minMs / 2));
}
