import { backoffDelay } from './backoff.ts';
import { type Answer, readAnswer, transient, unreachable } from './http.ts';
import type { ConnectionState, ServerFrame, WebSocketFactory, WebSocketLike } from './types.ts';

/** The reconnect backoff, also the wait between retries of answers that keep the session. */
export type Backoff = { minMs: number; maxMs: number };

export type TransportOptions = {
  serverUrl: string;
  fetch?: typeof fetch;
  webSocket?: WebSocketFactory;
  backoff: Backoff;
};

/**
 * The client's ways to the server: HTTP that retries what keeps the session, and one live
 * socket. Which session token to use is the caller's to say.
 */
export class Transport {
  readonly http: Requester;
  readonly socket: LiveSocket;

  constructor(options: TransportOptions, cursor: () => string | undefined, on: Handlers) {
    const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    const BrowserSocket = (globalThis as { WebSocket?: new (u: string) => WebSocketLike }).WebSocket;
    if (!options.webSocket && !BrowserSocket)
      throw new Error(
        'no WebSocket in this runtime: pass options.webSocket, e.g. (url) => new WebSocket(url) from "ws"',
      );
    const openSocket = options.webSocket ?? ((url: string) => new BrowserSocket!(url));
    this.http = new Requester(options.serverUrl, fetchFn, options.backoff);
    this.socket = new LiveSocket(
      `${options.serverUrl.replace(/^http/, 'ws')}/v1/client/ws`,
      openSocket,
      options.backoff,
      cursor,
      on,
    );
  }

  /** Over the socket only when it belongs to `token` (a socket of an old session never carries a frame of the new one). */
  sendOn(token: string | null, frame: Record<string, unknown>): boolean {
    return token !== null && this.socket.token === token && this.socket.send(frame);
  }
}

/**
 * HTTP to the Signet server. 429, 5xx and an unreachable server keep the session: wait
 * (`Retry-After`, else jittered backoff) and ask again, up to `retries` times. Every
 * wait ends early on `stop()`, and a stopped requester answers "unreachable".
 */
export class Requester {
  #stopped = false;
  readonly #sleeps = new Set<() => void>();

  constructor(
    private readonly server: string,
    private readonly fetchFn: typeof fetch,
    private readonly backoff: Backoff,
  ) {}

  get stopped(): boolean {
    return this.#stopped;
  }

  start(): void {
    this.#stopped = false;
  }

  stop(): void {
    this.#stopped = true;
    for (const wake of this.#sleeps) wake();
  }

  /** `token` is read before each attempt (it may wait for a session change to finish). */
  async call(
    method: string,
    path: string,
    body: unknown,
    token: () => Promise<string | null> | string | null,
    retries = Number.POSITIVE_INFINITY,
  ): Promise<Answer & { token: string | null }> {
    for (let attempt = 0; ; attempt++) {
      const bearer = await token();
      if (this.#stopped) return { ...unreachable, token: bearer };
      const answer = await this.fetchFn(`${this.server}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }).then(readAnswer, () => unreachable);
      if (!transient(answer) || attempt >= retries) return { ...answer, token: bearer };
      await this.sleep(answer.retryAfterMs ?? backoffDelay(attempt, this.backoff.minMs, this.backoff.maxMs));
    }
  }

  /** Waits, or less if stopped meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleeps.add(wake);
    });
  }
}

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
    private readonly backoff: Backoff,
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
