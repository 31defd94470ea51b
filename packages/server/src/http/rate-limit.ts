/**
 * A fixed-window counter per key (an IP, a session). Small and in-process: each node
 * limits what it serves, which is what protects that node.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** True when the call is allowed. A limit of 0 allows everything. */
  take(key: string, now: number = Date.now()): boolean {
    if (this.limit === 0) return true;
    let window = this.#windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      if (this.#windows.size > 100_000) this.#sweep(now);
      window = { startedAt: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return window.count <= this.limit;
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows)
      if (now - window.startedAt >= this.windowMs) this.#windows.delete(key);
  }
}
