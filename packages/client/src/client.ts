import { HelpCenter } from './help.ts';
import {
  type ConversationWithMessages,
  HistoryFeed,
  nextOlder,
  unreadTotal,
  visibleConversations,
} from './history.ts';
import { Outbox } from './outbox.ts';
import { type GetToken, type LoginOutcome, Session } from './session.ts';
import { defaultStore } from './token-store.ts';
import { Transport } from './transport.ts';
import type {
  ConnectionState,
  Message,
  PendingMessage,
  ServerFrame,
  TokenStore,
  User,
  WebSocketFactory,
} from './types.ts';

export type { LoginOutcome };

export type ClientOptions = {
  /** The Signet server, e.g. `https://support.example.com`. */
  serverUrl: string;
  /** Where the session token survives reloads: localStorage in browsers, memory by default elsewhere (pass a file, a keychain…). */
  store?: TokenStore;
  /** How to open a WebSocket: the global `WebSocket` by default; required where there is none (Node 20: the `ws` package). */
  webSocket?: WebSocketFactory;
  fetch?: typeof fetch;
  /** Ask for a fresh token this long before the current one expires. */
  refreshBeforeExpirySeconds?: number;
  /** Backoff for reconnects and for retrying answers that keep the session (429, 5xx, unreachable). */
  reconnect?: { minMs: number; maxMs: number };
  /** Conversations per page of history (1..200). */
  pageSize?: number;
};

export type ClientState = {
  user: User | null;
  authenticated: boolean;
  /** The conversations to show, oldest first: back to the first gap, never with a hole. */
  conversations: ConversationWithMessages[];
  pending: PendingMessage[];
  unreadCount: number;
  connection: ConnectionState;
  /** Older messages or conversations wait on the server: `loadOlder()` fetches them. */
  hasOlder: boolean;
};

type Events = {
  change: ClientState;
  message: Message;
  unread: number;
  typing: { conversationId: string; author: { type: string; name: string | null } };
  loginFailed: { reason: string };
  reauth: { reason: string };
  /** The session ended and the client started over (IDENTITY.md §7): why, and what it did. */
  sessionEnded: { reason: string; next: 'login' | 'anonymous' | 'adopted' };
};

/**
 * The messenger without a UI: one session per device, kept across reloads; logins
 * through the host page's token function; history and live events, resumed by cursor
 * after any drop. A UI renders `state` and listens to `change`.
 *
 * The parts: the session and its changes, one at a time (session.ts); HTTP and the live
 * socket (transport.ts); the loaded history and its paging (history.ts); sends (outbox.ts).
 */
export class SignetClient {
  readonly #session: Session;
  readonly #feed: HistoryFeed;
  readonly #outbox: Outbox;
  readonly #listeners = new Map<keyof Events, Set<(value: never) => void>>();
  #connection: ConnectionState = 'idle';
  #lastUnread = 0;
  /** Help articles, read as this client's current session. */
  readonly help = new HelpCenter((method, path, body, options) =>
    this.#session.call(method, path, body, options),
  );

  constructor(options: ClientOptions) {
    const serverUrl = options.serverUrl.replace(/\/$/, '');
    const store = options.store ?? defaultStore(serverUrl);
    const backoff = options.reconnect ?? { minMs: 500, maxMs: 15_000 };
    const transport = new Transport(
      { serverUrl, fetch: options.fetch, webSocket: options.webSocket, backoff },
      () => this.#feed.cursor,
      {
        frame: (frame, token) => this.#onFrame(frame, token),
        state: (state) => this.#setConnection(state),
        refused: (token) => void this.#session.check(token),
      },
    );
    this.#session = new Session(store, transport, options.refreshBeforeExpirySeconds ?? 60, {
      forget: () => this.#feed.forget(),
      dropPending: () => this.#feed.dropPending(),
      refetch: () => this.#feed.refetch(),
      changed: () => this.#changed(),
      loginFailed: (reason) => this.#emit('loginFailed', { reason }),
      ended: (reason, next) => this.#emit('sessionEnded', { reason, next }),
    });
    this.#feed = new HistoryFeed(
      (method, path) => this.#session.call(method, path),
      options.pageSize ?? 20,
      () => this.#session.user?.id,
      () => this.#changed(),
    );
    this.#outbox = new Outbox(this.#session, this.#feed, transport.http, backoff);
  }

  get state(): ClientState {
    const history = this.#feed.history;
    return {
      user: this.#session.user,
      authenticated: this.#session.authenticated,
      conversations: visibleConversations(history),
      pending: history.pending,
      unreadCount: unreadTotal(history),
      connection: this.#connection,
      hasOlder: nextOlder(history) !== undefined,
    };
  }

  on<E extends keyof Events>(event: E, listener: (value: Events[E]) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  /**
   * Restores the stored session (or, when the page's login is already under way, waits
   * for it; otherwise starts an anonymous one), loads history, goes live.
   */
  start(): Promise<void> {
    return this.#session.start();
  }

  stop(): void {
    this.#session.stop();
    this.#setConnection('idle');
  }

  /**
   * Logs the device in with a token from the host page. The function is kept and
   * called again when the token nears expiry or the server asks for a fresh one. A
   * failure leaves the device usable as it was (anonymous, say) and says why. Sends
   * made meanwhile wait for it.
   */
  login(getToken: GetToken): Promise<LoginOutcome> {
    return this.#session.login(getToken);
  }

  /** Ends the session; the device starts over as a fresh anonymous visitor with an empty history. */
  logout(): Promise<void> {
    return this.#session.logout();
  }

  /** Sends a message; safe to call offline or mid-login: it is retried with the same id until stored. */
  send(text: string, conversationId?: string): string {
    return this.#outbox.send(text, conversationId);
  }

  /** Fetches the next older page (messages of the oldest shown conversation, or older conversations). */
  loadOlder(): Promise<boolean> {
    return this.#feed.loadOlder();
  }

  typing(conversationId?: string): void {
    this.#outbox.typing(conversationId);
  }

  /** Marks everything shown as read: the badge clears here and on the user's other devices. */
  markRead(): void {
    this.#outbox.markRead();
  }

  #onFrame(frame: ServerFrame, token: string): void {
    if (frame.cursor) this.#feed.cursor = frame.cursor;
    switch (frame.type) {
      case 'ready':
        this.#outbox.resend();
        return;
      case 'message.ack':
        this.#outbox.stored(frame.message as Message);
        return;
      case 'message.created':
      case 'conversation.created':
      case 'conversation.updated':
      case 'read': {
        const heard = this.#feed.apply(frame);
        if (heard) this.#emit('message', heard);
        return;
      }
      case 'typing':
        this.#emit('typing', frame as unknown as Events['typing']);
        return;
      case 'session.reauth_required':
        this.#emit('reauth', { reason: String(frame.reason) });
        this.#session.relogin();
        return;
      case 'session.ended':
        this.#session.ended(token, String(frame.reason));
        return;
      case 'error':
        if (String(frame.code) === 'bad_cursor') void this.#feed.refetch();
        else this.#outbox.refused(String(frame.code), frame.clientMessageId, token);
        return;
    }
  }

  #setConnection(state: ConnectionState): void {
    if (this.#connection === state) return;
    this.#connection = state;
    this.#changed();
  }

  #changed(): void {
    const state = this.state;
    this.#emit('change', state);
    if (state.unreadCount !== this.#lastUnread) {
      this.#lastUnread = state.unreadCount;
      this.#emit('unread', state.unreadCount);
    }
  }

  #emit<E extends keyof Events>(event: E, value: Events[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) (listener as (v: Events[E]) => void)(value);
  }
}
