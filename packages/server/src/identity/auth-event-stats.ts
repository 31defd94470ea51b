import type { AuthEventStats } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { countAuthEventsByBucket } from './auth-events.repository.ts';

const WINDOWS = {
  '24h': { span: 24 * 3_600_000, bucket: 3_600_000 },
  '7d': { span: 7 * 86_400_000, bucket: 6 * 3_600_000 },
};

/** Outcomes over time, so a broken integration (a wall of `bad_signature`) shows at a glance. */
export async function authEventStats(
  ctx: AppContext,
  window: keyof typeof WINDOWS = '24h',
): Promise<AuthEventStats> {
  const { span, bucket } = WINDOWS[window];
  const now = ctx.now();
  const first = Math.floor((now - span) / bucket) + 1;
  const last = Math.floor(now / bucket);
  const rows = await countAuthEventsByBucket(ctx.storage.db, first * bucket, bucket);
  const totals: Record<string, number> = {};
  const buckets = Array.from({ length: last - first + 1 }, (_, i) => ({
    start: new Date((first + i) * bucket).toISOString(),
    counts: {} as Record<string, number>,
  }));
  for (const row of rows) {
    const slot = buckets[row.bucket - first];
    if (!slot) continue;
    slot.counts[row.outcome] = (slot.counts[row.outcome] ?? 0) + row.n;
    totals[row.outcome] = (totals[row.outcome] ?? 0) + row.n;
  }
  return { window, bucketMs: bucket, buckets, totals };
}
