/**
 * Events leave through the bus and sockets listen (DESIGN.md). The in-process bus is the
 * default; the Redis bus carries the same events between server processes.
 */
export type BusEvent =
  | { type: 'signing_key.deleted'; kid: string; sessionIds: string[] }
  | { type: 'session.ended'; sessionIds: string[] }
  | { type: 'user.merged'; fromUserId: string; intoUserId: string };

export type BusListener = (event: BusEvent) => void;

export interface EventBus {
  publish(event: BusEvent): Promise<void>;
  subscribe(listener: BusListener): () => void;
  close(): Promise<void>;
}

export class MemoryEventBus implements EventBus {
  readonly #listeners = new Set<BusListener>();

  async publish(event: BusEvent): Promise<void> {
    for (const listener of this.#listeners) listener(event);
  }

  subscribe(listener: BusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
