import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.ts';
import type { WebhookEndpointRow } from '../db/schema.ts';
import { type Outcome, sendDelivery, settleOutcomes, TIMEOUT_MS } from './attempt-delivery.ts';
import { pruneWebhookHistory } from './delivery-log.repository.ts';
import { listEndpoints } from './endpoints.repository.ts';
import { fanOut } from './fan-out.ts';
import {
  type DeliveryToSend,
  dropDeliveries,
  dueDeliveries,
  findDeliveriesToSend,
  leaseDeliveries,
} from './outbox.repository.ts';
import { outboxWrites } from './outbox.ts';

/** Attempts in flight on one node, and per endpoint: a stuck receiver holds only its own share. */
export const MAX_IN_FLIGHT = 64;
export const MAX_IN_FLIGHT_PER_ENDPOINT = 16;
/** Held this long past the request timeout; after that another node may try (at-least-once). */
const LEASE_MS = TIMEOUT_MS + 15_000;
const POLL_MS = 500;
/** After an outbox write in this process: look again this soon, as its commit lands. */
const SOON_MS = [2, 15, 60];
const RETENTION_MS = 30 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

const dispatchers = new WeakMap<AppContext, Dispatcher>();

/** After a commit that queued deliveries: deliver now rather than at the next poll. */
export function wakeWebhooks(ctx: AppContext): void {
  dispatchers.get(ctx)?.wake();
}

type Job = { delivery: DeliveryToSend; endpoint: WebhookEndpointRow };

/**
 * Each node runs one. A cycle is one transaction: new outbox events become deliveries
 * (fan-out.ts), and due deliveries are taken under a lease (`FOR UPDATE SKIP LOCKED` on
 * PostgreSQL, so two nodes never take the same one at once); the attempts that finished
 * meanwhile are recorded in the same commit. Attempts run concurrently. It wakes on every
 * event-log notice from any node, on outbox writes in this process, when a retry falls
 * due, and at least twice a second.
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
  #settling: Outcome[] = [];
  /** Whether any endpoint existed at the last look (each poll looks again). */
  #hasEndpoints = true;

  constructor(
    private readonly ctx: AppContext,
    private readonly log: FastifyBaseLogger,
  ) {
    const unsubscribe = ctx.bus.subscribe((event) => {
      // Without endpoints a message need not cost a look at the outbox; the poll still runs.
      if (event.type === 'events' && this.#hasEndpoints) this.wake();
    });
    const written = () => {
      this.#hasEndpoints = true;
      for (const ms of SOON_MS) setTimeout(() => this.wake(), ms).unref();
    };
    outboxWrites.addEventListener('written', written);
    this.#unsubscribe = () => {
      unsubscribe();
      outboxWrites.removeEventListener('written', written);
    };
    // Every attempt in flight listens for shutdown on this one signal.
    setMaxListeners(MAX_IN_FLIGHT + 16, this.#abort.signal);
    dispatchers.set(ctx, this);
    this.wake();
  }

  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    // One turn of the event loop first: every answer already read joins this cycle's
    // commit (on SQLite a transaction never yields, so each would otherwise get its own).
    setImmediate(() => void this.#cycle());
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
    try {
      do {
        this.#again = false;
        const outcomes = this.#settling.splice(0);
        let jobs: Job[];
        try {
          jobs = await this.#claim(outcomes);
        } catch (error) {
          // Not recorded: keep them for the next cycle, or every attempt that finished
          // (delivered, 410) would be sent again once its lease ran out.
          this.#settling.unshift(...outcomes);
          throw error;
        }
        for (const job of jobs) this.#start(job);
        await this.#prune();
        if (this.#again) await new Promise((resolve) => setImmediate(resolve));
      } while (this.#again && !this.#stopped);
    } catch (error) {
      if (!this.#stopped) this.log.error({ err: error }, 'webhook dispatch failed');
    } finally {
      this.#running = false;
      this.#schedule(POLL_MS);
    }
  }

  /**
   * One transaction, one commit: record the attempts that finished since the last one,
   * fan out what is new, then lease what is due, as far as there are free slots. If it
   * fails, the finished attempts go unrecorded: their leases run out and they are tried
   * again (at-least-once).
   */
  async #claim(outcomes: Outcome[]): Promise<Job[]> {
    const postgres = this.ctx.storage.dialect === 'postgres';
    return this.ctx.storage.db.transaction().execute(async (trx) => {
      if (outcomes.length > 0) {
        const retryAt = await settleOutcomes(this.ctx, trx, outcomes, this.#owner);
        if (retryAt !== null) this.#schedule(retryAt - this.ctx.now());
      }
      const now = this.ctx.now();
      const all = await listEndpoints(trx);
      this.#hasEndpoints = all.length > 0;
      const endpoints = new Map(all.filter((e) => e.enabled === 1).map((e) => [e.id, e] as const));
      // Events no enabled endpoint wants are marked done too: an endpoint turned back on
      // gets what happens from then on (and a replay for the gap), not a flood.
      await fanOut(trx, [...endpoints.values()], now, postgres);
      if (endpoints.size === 0 || this.#total >= MAX_IN_FLIGHT) return [];
      const busy = [...this.#inFlight].filter(([, n]) => n >= MAX_IN_FLIGHT_PER_ENDPOINT).map(([id]) => id);
      const due = await dueDeliveries(trx, now, busy, MAX_IN_FLIGHT * 2, postgres);
      const counts = new Map(this.#inFlight);
      const taken: string[] = [];
      for (const d of due) {
        const n = counts.get(d.endpoint_id) ?? 0;
        if (n >= MAX_IN_FLIGHT_PER_ENDPOINT || this.#total + taken.length >= MAX_IN_FLIGHT) continue;
        counts.set(d.endpoint_id, n + 1);
        taken.push(d.id);
      }
      if (taken.length === 0) return [];
      await leaseDeliveries(trx, taken, this.#owner, now + LEASE_MS);
      const deliveries = await findDeliveriesToSend(trx, taken);
      const found = new Set(deliveries.map((d) => d.id));
      // Their events were erased: nothing is left to send.
      await dropDeliveries(
        trx,
        taken.filter((id) => !found.has(id)),
      );
      if (taken.length === MAX_IN_FLIGHT * 2) this.#again = true;
      return deliveries.map((delivery) => ({ delivery, endpoint: endpoints.get(delivery.endpoint_id)! }));
    });
  }

  #start({ delivery, endpoint }: Job): void {
    this.#total++;
    this.#inFlight.set(endpoint.id, (this.#inFlight.get(endpoint.id) ?? 0) + 1);
    const attempt = sendDelivery(this.ctx, delivery, endpoint, this.#abort.signal)
      .then((outcome) => {
        if (outcome) this.#settle(outcome);
      })
      .catch((error) => {
        if (!this.#stopped) this.log.error({ err: error, deliveryId: delivery.id }, 'webhook attempt failed');
      })
      .finally(() => {
        this.#attempts.delete(attempt);
        this.#total--;
        const n = (this.#inFlight.get(endpoint.id) ?? 1) - 1;
        if (n > 0) this.#inFlight.set(endpoint.id, n);
        else this.#inFlight.delete(endpoint.id);
      });
    this.#attempts.add(attempt);
  }

  /** Outcomes wait for the next cycle and share its commit. */
  #settle(outcome: Outcome): void {
    this.#settling.push(outcome);
    this.wake();
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
