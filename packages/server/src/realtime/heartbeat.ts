import type { Connection } from './connection.ts';

/** How often a slice of the sockets is pinged. */
const TICK_MS = 100;

type Beating = Pick<Connection, 'alive' | 'ws'> & { beatSlice?: number };

/**
 * Pings every socket once per interval and cuts off each one that did not answer its
 * previous ping. The sockets are spread over slices and one slice is pinged per tick, so
 * a node never stops to ping all of its sockets at once: pinging 5,000 in one go held
 * the event loop for ~100 ms, and every message in flight waited behind it.
 */
export class Heartbeat {
  readonly #slices: Set<Beating>[];
  readonly #timer: NodeJS.Timeout;
  #tick = 0;
  #nextSlice = 0;

  constructor(intervalMs: number) {
    const count = Math.max(1, Math.round(intervalMs / TICK_MS));
    this.#slices = Array.from({ length: count }, () => new Set());
    this.#timer = setInterval(() => this.#beat(), intervalMs / count);
    this.#timer.unref();
  }

  add(conn: Beating): void {
    conn.beatSlice = this.#nextSlice;
    this.#slices[this.#nextSlice]!.add(conn);
    this.#nextSlice = (this.#nextSlice + 1) % this.#slices.length;
  }

  remove(conn: Beating): void {
    if (conn.beatSlice !== undefined) this.#slices[conn.beatSlice]!.delete(conn);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #beat(): void {
    const slice = this.#slices[this.#tick]!;
    this.#tick = (this.#tick + 1) % this.#slices.length;
    for (const conn of slice) {
      if (!conn.alive) {
        slice.delete(conn);
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }
}
