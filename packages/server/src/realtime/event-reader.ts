import type { Executor } from '../db/executor.ts';
import {
  type EventsQuery,
  listEventsAfterEach,
  type StoredEventRow,
} from '../messaging/events.repository.ts';

/**
 * Audiences per statement. A notice wakes two or three; a burst of sockets connecting
 * wakes hundreds, and one statement for all of them cost more to build (the query grows
 * one UNION at a time) than it saved: ~2.5 KiB more resident memory per idle socket in
 * the sockets bench.
 */
const MAX_QUERIES = 16;

type Waiting = {
  query: EventsQuery;
  resolve: (rows: StoredEventRow[]) => void;
  reject: (error: unknown) => void;
};

/**
 * The gateway's reads of the event log. One bus notice usually wakes several audiences
 * at once (the sender's devices and the inbox); the reads asked for in one turn of the
 * event loop go to the database as one statement, so a message costs one round trip to
 * fan out however many audiences it has on this node.
 */
export class EventReader {
  #waiting: Waiting[] = [];

  constructor(
    private readonly db: Executor,
    private readonly limit: number,
  ) {}

  /** Events after `since` for the audience, oldest first, at most the reader's limit. */
  read(query: EventsQuery): Promise<StoredEventRow[]> {
    return new Promise((resolve, reject) => {
      if (this.#waiting.push({ query, resolve, reject }) === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const waiting = this.#waiting.splice(0);
    for (let i = 0; i < waiting.length; i += MAX_QUERIES) void this.#read(waiting.slice(i, i + MAX_QUERIES));
  }

  async #read(batch: Waiting[]): Promise<void> {
    try {
      const answers = await listEventsAfterEach(
        this.db,
        batch.map((w) => w.query),
        this.limit,
      );
      for (const [i, w] of batch.entries()) w.resolve(answers[i]!);
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
