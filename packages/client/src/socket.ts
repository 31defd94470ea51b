import { backoffDelay } from './backoff.ts';
import type { ConnectionState, ServerFrame, WebSocketFactory, WebSocketLike } from './types.ts';

/** Close codes the client acts on (protocol `CLOSE`; duplicated so nothing of the server is bundled). */
const UNAUTHORIZED = 4401;
const SESSION_ENDED = 4000;

type Handlers = {
  /** Frames of the socket opened with `token` (never of an older socket). */
  frame(frame: ServerFrame, token: string): void;
  state(state: ConnectionState): void;
  /** The server refused `token` at auth: the session may be over. No reconnect is scheduled. */
  refused(token: string): void;
};

/**
 * One live socket at a time, authenticated with the current session token and resumed
 * from the last cursor; reconnects with jittered backoff after any drop except an ended
 * or refused session (the client decides what comes next then).
 */
export class LiveSocket {
  #socket: WebSocketLike | undefined;
  #token: string | undefined;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #online = false;

  constructor(
    private readonly url: string,
    private readonly open: WebSocketFactory,
    private readonly backoff: { minMs: number; maxMs: number },
    private readonly cursor: () => string | undefined,
    private readonly on: Handlers,
  ) {}

  get online(): boolean {
    return this.#online && this.#socket !== undefined;
  }

  /** The token of the socket now open (or opening). */
  get token(): string | undefined {
    return this.#token;
  }

  connect(token: string): void {
    this.close();
    this.#token = token;
    this.on.state('connecting');
    const socket = this.open(this.url);
    this.#socket = socket;
    socket.onopen = () =>
      socket.send(JSON.stringify({ type: 'auth', sessionToken: token, since: this.cursor() }));
    socket.onmessage = (event) => {
      if (socket !== this.#socket) return;
      const frame = JSON.parse(String(event.data)) as ServerFrame;
      if (frame.type === 'ready') {
        this.#attempt = 0;
        this.#online = true;
        this.on.state('online');
      }
      this.on.frame(frame, token);
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      this.#online = false;
      this.on.state('offline');
      if (event.code === UNAUTHORIZED) this.on.refused(token);
      else if (event.code !== SESSION_ENDED) this.#later(token);
    };
  }

  /** Sends when online; false when the caller should use HTTP instead. */
  send(frame: Record<string, unknown>): boolean {
    if (!this.online) return false;
    this.#socket!.send(JSON.stringify(frame));
    return true;
  }

  /** Tries again after a backoff, with whatever token `connect` is then given. */
  retry(token: string): void {
    this.#later(token);
  }

  close(): void {
    clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#token = undefined;
    this.#online = false;
    if (socket && socket.readyState <= 1) socket.close(1000, 'client closing');
  }

  #later(token: string): void {
    clearTimeout(this.#timer);
    const delay = backoffDelay(this.#attempt++, this.backoff.minMs, this.backoff.maxMs);
    this.#timer = setTimeout(() => this.connect(token), delay);
  }
}
