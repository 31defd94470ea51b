import { backoffDelay } from './backoff.ts';
import { type Answer, readAnswer, transient, unreachable } from './http.ts';

/**
 * HTTP to the Signet server. 429, 5xx and an unreachable server keep the session: wait
 * (`Retry-After`, else jittered backoff) and ask again, up to `retries` times. Every
 * wait ends early on `stop()`, and a stopped requester answers "unreachable".
 */
export class Requester {
  #stopped = false;
  readonly #sleeps = new Set<() => void>();

  constructor(
    private readonly server: string,
    private readonly fetchFn: typeof fetch,
    private readonly backoff: { minMs: number; maxMs: number },
  ) {}

  get stopped(): boolean {
    return this.#stopped;
  }

  start(): void {
    this.#stopped = false;
  }

  stop(): void {
    this.#stopped = true;
    for (const wake of this.#sleeps) wake();
  }

  /** `token` is read before each attempt (it may wait for a session change to finish). */
  async call(
    method: string,
    path: string,
    body: unknown,
    token: () => Promise<string | null> | string | null,
    retries = Number.POSITIVE_INFINITY,
  ): Promise<Answer & { token: string | null }> {
    for (let attempt = 0; ; attempt++) {
      const bearer = await token();
      if (this.#stopped) return { ...unreachable, token: bearer };
      const answer = await this.fetchFn(`${this.server}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }).then(readAnswer, () => unreachable);
      if (!transient(answer) || attempt >= retries) return { ...answer, token: bearer };
      await this.sleep(answer.retryAfterMs ?? backoffDelay(attempt, this.backoff.minMs, this.backoff.maxMs));
    }
  }

  /** Waits, or less if stopped meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleeps.add(wake);
    });
  }
}
