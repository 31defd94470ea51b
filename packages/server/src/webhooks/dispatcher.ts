import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.ts';
import { attemptDelivery, TIMEOUT_MS } from './attempt-delivery.ts';
import { pruneWebhookHistory } from './delivery-log.repository.ts';
import { fanOut } from './fan-out.ts';
import { dueDeliveries, leaseDeliveries } from './outbox.repository.ts';
import { outboxWrites } from './outbox.ts';

/** Attempts in flight on one node, and per endpoint: a stuck receiver holds only its own share. */
export const MAX_IN_FLIGHT = 64;
export const MAX_IN_FLIGHT_PER_ENDPOINT = 8;
/** Held this long past the request timeout; after that another node may try (at-least-once). */
const LEASE_MS = TIMEOUT_MS + 15_000;
const POLL_MS = 500;
/** After an outbox write in this process: look again this soon, as its commit lands. */
const SOON_MS = [5, 30, 120];
const RETENTION_MS = 30 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

const dispatchers = new WeakMap<AppContext, Dispatcher>();

/** After a commit that wrote outbox rows: deliver now rather than at the next poll. */
export function wakeWebhooks(ctx: AppContext): void {
  dispatchers.get(ctx)?.wake();
}

/**
 * Each node runs one: it turns outbox events into deliveries (fan-out.ts), takes due
 * deliveries under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two nodes never
 * take the same one at once), and attempts them concurrently. It wakes on every event-log
 * notice from any node, when a retry falls due, and at least once a second.
 */
export class Dispatcher {
  readonly #owner = `node_${randomBytes(8).toString('hex')}`;
  readonly #inFlight = new Map<string, number>();
  #total = 0;
  #timer: NodeJS.Timeout | undefined;
  #nextAt = Number.POSITIVE_INFINITY;
  #running = false;
  #again = false;
  #stopped = false;
  #lastPrune = 0;
  readonly #abort = new AbortController();
  readonly #unsubscribe: () => void;
  readonly #attempts = new Set<Promise<void>>();

  constructor(
    private readonly ctx: AppContext,
    private readonly log: FastifyBaseLogger,
  ) {
    const unsubscribe = ctx.bus.subscribe((event) => {
      if (event.type === 'events') this.wake();
    });
    const written = () => {
      for (const ms of SOON_MS) setTimeout(() => this.wake(), ms).unref();
    };
    outboxWrites.addEventListener('written', written);
    this.#unsubscribe = () => {
      unsubscribe();
      outboxWrites.removeEventListener('written', written);
    };
    dispatchers.set(ctx, this);
    this.wake();
  }

  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.#cycle();
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe();
    clearTimeout(this.#timer);
    this.#abort.abort();
    await Promise.allSettled([...this.#attempts]);
    while (this.#running) await new Promise((r) => setTimeout(r, 10));
  }

  async #cycle(): Promise<void> {
    this.#running = true;
    try {
      do {
        this.#again = false;
        while ((await fanOut(this.ctx)) > 0 && !this.#stopped) {}
        await this.#claim();
        await this.#prune();
      } while (this.#again && !this.#stopped);
    } catch (error) {
      if (!this.#stopped) this.log.error({ err: error }, 'webhook dispatch failed');
    } finally {
      this.#running = false;
      this.#schedule(POLL_MS);
    }
  }

  async #claim(): Promise<void> {
    while (!this.#stopped && this.#total < MAX_IN_FLIGHT) {
      const now = this.ctx.now();
      const busy = [...this.#inFlight].filter(([, n]) => n >= MAX_IN_FLIGHT_PER_ENDPOINT).map(([id]) => id);
      const postgres = this.ctx.storage.dialect === 'postgres';
      const picked = await this.ctx.storage.db.transaction().execute(async (trx) => {
        const due = await dueDeliveries(trx, now, busy, MAX_IN_FLIGHT * 2, postgres);
        const taken: { id: string; endpointId: string }[] = [];
        const counts = new Map(this.#inFlight);
        for (const d of due) {
          const n = counts.get(d.endpoint_id) ?? 0;
          if (n >= MAX_IN_FLIGHT_PER_ENDPOINT || this.#total + taken.length >= MAX_IN_FLIGHT) continue;
          counts.set(d.endpoint_id, n + 1);
          taken.push({ id: d.id, endpointId: d.endpoint_id });
        }
        await leaseDeliveries(
          trx,
          taken.map((t) => t.id),
          this.#owner,
          now + LEASE_MS,
        );
        return taken;
      });
      for (const { id, endpointId } of picked) this.#start(id, endpointId);
      if (picked.length < MAX_IN_FLIGHT) return;
    }
  }

  #start(deliveryId: string, endpointId: string): void {
    this.#total++;
    this.#inFlight.set(endpointId, (this.#inFlight.get(endpointId) ?? 0) + 1);
    const attempt = attemptDelivery(this.ctx, deliveryId, this.#owner, this.#abort.signal)
      .then((nextAt) => {
        if (nextAt !== null) this.#schedule(nextAt - this.ctx.now());
      })
      .catch((error) => {
        if (!this.#stopped) this.log.error({ err: error, deliveryId }, 'webhook attempt failed');
      })
      .finally(() => {
        this.#attempts.delete(attempt);
        this.#total--;
        const n = (this.#inFlight.get(endpointId) ?? 1) - 1;
        if (n > 0) this.#inFlight.set(endpointId, n);
        else this.#inFlight.delete(endpointId);
        // A freed slot may take the next due delivery.
        this.wake();
      });
    this.#attempts.add(attempt);
  }

  /** The next cycle in `ms` (or sooner, if one is already due sooner). */
  #schedule(ms: number): void {
    if (this.#stopped) return;
    const at = Date.now() + Math.max(0, Math.min(ms, POLL_MS));
    if (this.#timer && at >= this.#nextAt) return;
    clearTimeout(this.#timer);
    this.#nextAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#nextAt = Number.POSITIVE_INFINITY;
      this.wake();
    }, at - Date.now());
    this.#timer.unref();
  }

  async #prune(): Promise<void> {
    const now = this.ctx.now();
    if (now - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = now;
    await pruneWebhookHistory(this.ctx.storage.db, now - RETENTION_MS);
  }
}
