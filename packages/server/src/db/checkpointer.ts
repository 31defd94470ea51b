import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * SQLite's WAL is copied back into the database file by a checkpoint. Left to itself,
 * SQLite runs one inside whichever commit crosses the threshold, on the event loop: at
 * 500 messages/s that stalled every live message for ~40 ms every ~1.4 s (the p99).
 * Here a worker thread with its own connection runs PASSIVE checkpoints on a timer
 * instead; they never block the writer, and the writer restarts the WAL from its start
 * once a checkpoint has caught up. Under steady writes the worker never quite catches
 * up (a commit lands while it copies), and the WAL would grow without end; so when it
 * passes `RESTART_ABOVE_PAGES`, the worker says so and the serving connection runs one
 * checkpoint itself, between transactions: it copies only what the worker has not yet
 * (a few hundred pages), and its next commit starts the WAL over.
 */
export class Checkpointer {
  readonly #worker: Worker;
  #closed = false;
  #catchingUp = false;

  /**
   * `catchUp` runs a checkpoint on the serving connection; `onFailure` runs if the worker
   * dies, and the caller turns SQLite's own checkpoints back on.
   */
  constructor(
    file: string,
    everyMs: number,
    catchUp: () => Promise<void>,
    onFailure: (error: Error) => void,
  ) {
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file,
        everyMs,
        restartAbovePages: RESTART_ABOVE_PAGES,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      },
    });
    this.#worker.unref();
    this.#worker.on('message', () => {
      if (this.#catchingUp || this.#closed) return;
      this.#catchingUp = true;
      catchUp()
        .catch(() => {}) // busy: the worker will say so again on its next tick
        .finally(() => {
          this.#catchingUp = false;
        });
    });
    this.#worker.on('error', (error) => {
      if (!this.#closed) onFailure(error);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#worker.terminate();
  }
}

/** ~16 MB of WAL. */
export const RESTART_ABOVE_PAGES = 4000;

// Plain CommonJS: the worker needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 0');
setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result.log > workerData.restartAbovePages) parentPort.postMessage('catch up');
  } catch (error) {
    // Another checkpoint is running: the next tick tries again.
    if (!String(error && error.code).startsWith('SQLITE_BUSY')) throw error;
  }
}, workerData.everyMs);
`;
