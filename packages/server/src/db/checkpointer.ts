import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * SQLite's WAL is copied back into the database file by a checkpoint. Left to itself,
 * SQLite runs one inside whichever commit crosses the threshold, on the event loop: at
 * 500 messages/s that stalled every live message for ~40 ms every ~1.4 s (the p99).
 * Here a worker thread with its own connection runs PASSIVE checkpoints on a timer
 * instead; they never block the writer, and the writer restarts the WAL from its start
 * once a checkpoint has caught up, so the file stays small.
 */
export class Checkpointer {
  readonly #worker: Worker;
  #closed = false;

  /** `onFailure` runs if the worker dies: the caller turns SQLite's own checkpoints back on. */
  constructor(file: string, everyMs: number, onFailure: (error: Error) => void) {
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, everyMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    this.#worker.unref();
    this.#worker.on('error', (error) => {
      if (!this.#closed) onFailure(error);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#worker.terminate();
  }
}

// Plain CommonJS: the worker needs no TypeScript loader.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // SQLITE_BUSY: another checkpoint is running; the next tick tries again.
    if (error.code !== 'SQLITE_BUSY') throw error;
  }
}, workerData.everyMs);
`;
