import { Redis } from 'ioredis';
import type { BusEvent, BusListener, EventBus } from './event-bus.ts';

const CHANNEL = 'signet:events';

/**
 * Redis pub/sub between server processes. Pub/sub forgets what it could not deliver,
 * so when the subscriber connection comes back every listener of `onResync` is told,
 * and the gateway re-reads its sockets' events from the database by cursor.
 */
export class RedisEventBus implements EventBus {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #listeners = new Set<BusListener>();
  readonly #resyncListeners = new Set<() => void>();
  #lostConnection = false;
  /** Marks this instance's own notices, which it already delivered locally. */
  readonly #origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;

  private constructor(url: string) {
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true } as const;
    this.#publisher = new Redis(url, options);
    this.#subscriber = new Redis(url, { ...options, maxRetriesPerRequest: null });
    this.#subscriber.on('message', (_channel: string, text: string) => {
      const event = JSON.parse(text) as BusEvent;
      for (const listener of this.#listeners) listener(event);
    });
    this.#subscriber.on('close', () => {
      this.#lostConnection = true;
    });
    this.#subscriber.on('ready', () => {
      if (!this.#lostConnection) return;
      this.#lostConnection = false;
      for (const listener of this.#resyncListeners) listener();
    });
    // Errors are retried by ioredis itself; without a listener they would crash the process.
    this.#publisher.on('error', () => {});
    this.#subscriber.on('error', () => {});
  }

  static async connect(url: string): Promise<RedisEventBus> {
    const bus = new RedisEventBus(url);
    await bus.#publisher.connect();
    await bus.#subscriber.connect();
    await bus.#subscriber.subscribe(CHANNEL);
    return bus;
  }

  /**
   * A publish that fails (Redis down) is dropped, not thrown: the write it announces is
   * already committed, and other nodes catch up when their connection returns.
   */
  async publish(event: BusEvent): Promise<void> {
    // This process hears its own notices at once, whatever Redis is doing.
    for (const listener of this.#listeners) listener(event);
    try {
      await this.#publisher.publish(CHANNEL, JSON.stringify({ ...event, origin: this.#origin }));
    } catch {
      // counted by the resync on reconnect
    }
  }

  /** Both connections up (read by /metrics as signet_redis_up). */
  get connected(): boolean {
    return this.#publisher.status === 'ready' && this.#subscriber.status === 'ready';
  }

  subscribe(listener: BusListener): () => void {
    const filtered: BusListener = (event) => {
      if ((event as { origin?: string }).origin !== this.#origin) listener(event);
    };
    this.#listeners.add(filtered);
    return () => this.#listeners.delete(filtered);
  }

  onResync(listener: () => void): () => void {
    this.#resyncListeners.add(listener);
    return () => this.#resyncListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#publisher.disconnect();
    this.#subscriber.disconnect();
  }
}
