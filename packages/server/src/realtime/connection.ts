import type { ServerFrame } from '@signet/protocol';
import { CLOSE } from '@signet/protocol';
import type { WebSocket } from 'ws';
import { metrics } from '../metrics/metrics.ts';

/** A reader this far behind is dropped, not buffered for: it reconnects with its cursor. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/** One open socket, messenger or agent, and what it has been sent. */
export class Connection {
  /** The cursor of the last stored event this socket was sent. */
  sent = 0;
  /** False while the replay before `ready` runs; live pushes wait for it. */
  live = false;
  /** Answered the last heartbeat. */
  alive = true;
  /** Which of the heartbeat's slices pings it (heartbeat.ts). */
  beatSlice: number | undefined;
  userId: string | undefined;
  sessionId: string | undefined;
  /**
   * The session token, kept to re-check the session on typing and read frames (a send
   * checks it inside its own transaction); never logged.
   */
  sessionToken: string | undefined;
  /** An agent socket's principal: an agent account or an API token, by id. */
  agent: { id: string; name: string; role: 'admin' | 'agent' } | undefined;
  /** The agent app's cookie session this socket rode on; its sign-out closes the socket. */
  agentSessionId: string | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  #intake: Promise<unknown> = Promise.resolve();

  constructor(
    readonly ws: WebSocket,
    readonly kind: 'client' | 'agent',
  ) {
    metrics.socketOpened(ws, kind);
    ws.on('pong', () => {
      this.alive = true;
    });
  }

  /**
   * Runs `step` once the previous frame's step has finished. A frame's work up to the
   * write queue goes through here, so pipelined messages are stored in the order they
   * were sent even when their session reads finish out of order (PostgreSQL's pool).
   */
  inOrder<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#intake.then(step);
    this.#intake = result.catch(() => undefined);
    return result;
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  /** An already-serialized frame, so one event fanned out to many sockets is encoded once. */
  sendText(text: string): void {
    if (!this.open) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CLOSE.slowConsumer, 'reading too slowly; reconnect with your cursor');
      return;
    }
    this.ws.send(text);
  }

  close(code: number, reason: string): void {
    clearTimeout(this.expiryTimer);
    if (this.ws.readyState === this.ws.CLOSED) return;
    this.ws.close(code, reason);
    // A peer that never answers the close handshake is cut off.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
}
