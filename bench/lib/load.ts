/**
 * A closed-loop load generator: `concurrency` workers each send the next request as
 * soon as the previous one answers, for a fixed time. Bounded: it stops by itself.
 */
export type LoadResult = {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latenciesMs: number[];
};

export async function closedLoop(
  seconds: number,
  concurrency: number,
  send: (i: number) => Promise<boolean>,
): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const ok = await send(next++).catch(() => false);
        latenciesMs.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    requests: latenciesMs.length,
    errors,
    seconds: elapsed,
    perSecond: latenciesMs.length / elapsed,
    latenciesMs,
  };
}

/** An open loop at a fixed rate, for latency without queueing the generator itself. */
export async function fixedRate(
  ratePerSecond: number,
  seconds: number,
  send: (i: number) => Promise<boolean>,
): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  const total = Math.round(ratePerSecond * seconds);
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    inflight.push(
      send(i)
        .catch(() => false)
        .then((ok) => {
          latenciesMs.push(performance.now() - t0);
          if (!ok) errors++;
        }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000;
  return { requests: total, errors, seconds: elapsed, perSecond: total / elapsed, latenciesMs };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
