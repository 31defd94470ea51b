import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { announce, type PendingEvents, type Recorded, recordMany } from '../messaging/event-log.ts';
import { metrics } from '../metrics/metrics.ts';
import { isRetryableConflict, withConflictRetry } from './conflicts.ts';
import type { Executor } from './executor.ts';

/**
 * One write in a batch: it runs inside the batch's transaction, must not commit or roll
 * back, and returns its value and the events to record (recorded for it, after commit).
 * Every read and write goes through `trx`: on SQLite the transaction holds the only
 * connection, so a query on `ctx.storage.db` would wait for it forever.
 */
export type BatchedWrite<T> = (trx: Executor) => Promise<{ value: T; events?: PendingEvents }>;

type Lane = { queue: Job[]; draining: boolean };

/**
 * Reads that every write of a batch needs, made once for all of them before the first
 * write runs: one statement for the batch instead of one per write. It runs only when
 * every write in the batch names the same prelude, since a write of another kind (a
 * login ending or merging sessions, say) could change what it read; otherwise each
 * write reads for itself. What it reads belongs to that transaction (key it by `trx`).
 */
export type Prelude<K> = { run: (trx: Executor, keys: K[]) => Promise<void> };

type Job = {
  /**
   * The lane follows it, and a batch is sorted by it (stably), so writes with the same
   * key keep their order. Keys of different kinds (user, conversation) do not give one
   * lock order across lanes; batches on PostgreSQL have a short lock timeout for that.
   */
  lockKey: string;
  write: BatchedWrite<unknown>;
  prelude: { of: Prelude<unknown>; key: unknown } | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

/** Large enough to amortize a commit, small enough that one batch never holds the log for long. */
export const MAX_BATCH = 64;

/** Batches in flight at once on PostgreSQL; the pool (10) keeps room for reads. */
export const POSTGRES_LANES = 4;

/**
 * Group commit for the message hot path. The first write runs at once; writes that
 * arrive while its transaction is open wait, and then all of them share the next
 * transaction and its one commit (one fsync on PostgreSQL, one WAL append on SQLite),
 * and their events share one bus notice. At a low rate every batch holds one write and
 * nothing waits; under load the batch grows with the queue, not with a timer.
 *
 * A batch is all-or-nothing at the database, so a write that throws (a conversation
 * that does not exist, a conflict) rolls the batch back; the writes before it go again
 * as a batch, it runs alone and gets its own error (or passes, for a conflict), and the
 * writes after it rejoin the queue. A commit that fails without a conflict code (the
 * connection dropped) may have committed, so those writes are rejected, never rerun.
 *
 * SQLite has one connection, so one lane. PostgreSQL runs `lanes` batches at once on
 * their own connections (each statement is a round trip, and one lane would leave the
 * pool idle); a write's lane follows its lock key, so one user's writes stay in order.
 */
export class GroupCommit {
  readonly #lanes: Lane[];

  constructor(
    private readonly ctx: AppContext,
    lanes = ctx.storage.dialect === 'postgres' ? POSTGRES_LANES : 1,
  ) {
    this.#lanes = Array.from({ length: lanes }, () => ({ queue: [], draining: false }));
  }

  /** Runs `write` in the next batch; resolves after commit and after its events are announced. */
  run<T, K = never>(
    lockKey: string,
    write: BatchedWrite<T>,
    prelude?: { of: Prelude<K>; key: K },
  ): Promise<T> {
    const lane = this.#lanes[this.#lanes.length === 1 ? 0 : hash(lockKey) % this.#lanes.length]!;
    return new Promise<T>((resolve, reject) => {
      lane.queue.push({
        lockKey,
        write,
        prelude: prelude as Job['prelude'],
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!lane.draining) void this.#drain(lane);
    });
  }

  async #drain(lane: Lane): Promise<void> {
    lane.draining = true;
    try {
      while (lane.queue.length > 0) {
        // One turn of the event loop: the frames already read from sockets reach the queue
        // too (they are still reading their session), instead of trailing one batch behind.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = lane.queue.splice(0, MAX_BATCH);
        metrics.batchTaken(batch.length);
        if (batch.length === 1) await this.#alone(batch[0]!);
        else await this.#together(lane, batch);
      }
    } finally {
      lane.draining = false;
    }
  }

  async #together(lane: Lane, batch: Job[]): Promise<void> {
    // Stable: one user's writes keep their order.
    batch.sort((a, b) => (a.lockKey < b.lockKey ? -1 : a.lockKey > b.lockKey ? 1 : 0));
    let failedAt = -1;
    let wroteAll = false;
    let committed: { values: unknown[]; recorded: Recorded[] };
    try {
      committed = await this.ctx.storage.db.transaction().execute(async (trx) => {
        // Writes keyed differently (a user, a conversation) can take row locks in opposite
        // orders in two lanes or on two nodes; a batch waits briefly, then its writes rerun
        // one by one instead of waiting out PostgreSQL's deadlock detector.
        if (this.ctx.storage.dialect === 'postgres') await sql`set local lock_timeout = '200ms'`.execute(trx);
        const prelude = batch[0]!.prelude;
        if (prelude && batch.every((job) => job.prelude?.of === prelude.of)) {
          await prelude.of.run(
            trx,
            batch.map((job) => job.prelude!.key),
          );
        }
        const values: unknown[] = [];
        const pending: PendingEvents[] = [];
        for (const [i, job] of batch.entries()) {
          failedAt = i;
          const { value, events } = await job.write(trx);
          values.push(value);
          if (events) pending.push(events);
        }
        failedAt = -1;
        // Last, after every row lock: on PostgreSQL the log's lock is held until commit.
        const recorded = await recordMany(trx, pending);
        wroteAll = true;
        return { values, recorded };
      });
    } catch (error) {
      if (failedAt >= 0) {
        // Nothing was kept. The writes before the failing one go again as a batch, then it
        // alone (a conflict or a lock wait may pass there), and the rest go back to the
        // front of the queue: one user's writes keep their order throughout.
        const after = batch.splice(failedAt + 1);
        const failing = batch.pop()!;
        lane.queue.unshift(...after);
        if (batch.length > 1) await this.#together(lane, batch);
        else if (batch.length === 1) await this.#alone(batch[0]!);
        await this.#alone(failing);
      } else if (wroteAll && !isRetryableConflict(error)) {
        // The commit failed without saying why (a dropped connection): it may have
        // committed, and running the writes again could store them twice.
        for (const job of batch) job.reject(error);
      } else {
        for (const job of batch) await this.#alone(job);
      }
      return;
    }
    // The lane moves on to its next batch while this one's notice goes out.
    void this.#announceThenResolve(committed.recorded, batch, committed.values);
  }

  async #alone(job: Job): Promise<void> {
    let committed: { value: unknown; recorded: Recorded[] };
    try {
      committed = await withConflictRetry(() =>
        this.ctx.storage.db.transaction().execute(async (trx) => {
          const { value, events } = await job.write(trx);
          return { value, recorded: await recordMany(trx, events ? [events] : []) };
        }),
      );
    } catch (error) {
      job.reject(error);
      return;
    }
    void this.#announceThenResolve(committed.recorded, [job], [committed.value]);
  }

  /** Acknowledged only once every node has been told, as an unbatched write would be. */
  async #announceThenResolve(recorded: Recorded[], jobs: Job[], values: unknown[]): Promise<void> {
    try {
      await announce(this.ctx, recorded);
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    for (const [i, job] of jobs.entries()) job.resolve(values[i]);
  }
}

/** FNV-1a: a cheap, stable spread of lock keys over lanes. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const queues = new WeakMap<AppContext, GroupCommit>();

/** The group commit of this context (one per running server). */
export function groupCommit(ctx: AppContext): GroupCommit {
  let queue = queues.get(ctx);
  if (!queue) {
    queue = new GroupCommit(ctx);
    queues.set(ctx, queue);
  }
  return queue;
}
