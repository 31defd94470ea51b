import { backoffDelay } from './backoff.ts';
import { HelpCenter } from './help.ts';
import {
  addMessage,
  type ConversationWithMessages,
  HistoryFeed,
  markConversationRead,
  newestConversation,
  nextOlder,
  unreadTotal,
  visibleConversations,
} from './history.ts';
import { type Answer, SESSION_OVER, sessionOver } from './http.ts';
import { tokenExpiry } from './jwt.ts';
import { Serial } from './serial.ts';
import { localStorageStore, memoryStore } from './token-store.ts';
import { type Requester, Transport } from './transport.ts';
import type {
  ConnectionState,
  Message,
  PendingMessage,
  ServerFrame,
  TokenStore,
  User,
  WebSocketFactory,
} from './types.ts';

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

export type LoginOutcome = { ok: true; user: User; emailOutcome: string } | { ok: false; reason: string };

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

type GetToken = () => string | Promise<string>;
/** After a session is over: log in again through the page's function, or start anonymous. */
type Next = 'relogin' | 'anonymous';

const LOGIN_ATTEMPTS = 5;
const TOKEN_TIMEOUT_MS = 30_000;

/**
 * The messenger without a UI: one session per device, kept across reloads; logins
 * through the host page's token function; history and live events, resumed by cursor
 * after any drop. A UI renders `state` and listens to `change`.
 *
 * Every change of session (start, login, logout, a session that ended) runs alone, in
 * order; sends, history fetches and the socket wait for it, so a message typed while
 * the page's login is pending goes out through the session that login creates.
 */
export class SignetClient {
  readonly #server: string;
  readonly #store: TokenStore;
  readonly #http: Requester;
  readonly #serial = new Serial();
  readonly #refreshBefore: number;
  readonly #backoff: { minMs: number; maxMs: number };
  readonly #transport: Transport;
  readonly #listeners = new Map<keyof Events, Set<(value: never) => void>>();
  /** Help articles, read as this client's current session. */
  readonly help = new HelpCenter((method, path, body, options) => this.#call(method, path, body, options));

  readonly #feed: HistoryFeed;
  #token: string | null = null;
  #user: User | null = null;
  #authenticated = false;
  #connection: ConnectionState = 'idle';
  #running = false;
  #login: { getToken: GetToken; promise: Promise<LoginOutcome> } | undefined;
  #getToken: GetToken | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #posting = new Set<string>();
  #lastUnread = 0;

  constructor(options: ClientOptions) {
    this.#server = options.serverUrl.replace(/\/$/, '');
    this.#store = options.store ?? (hasLocalStorage() ? localStorageStore(this.#server) : memoryStore());
    this.#refreshBefore = options.refreshBeforeExpirySeconds ?? 60;
    this.#backoff = options.reconnect ?? { minMs: 500, maxMs: 15_000 };
    this.#transport = new Transport(
      { serverUrl: this.#server, fetch: options.fetch, webSocket: options.webSocket, backoff: this.#backoff },
      () => this.#feed.cursor,
      {
        frame: (frame, token) => this.#onFrame(frame, token),
        state: (state) => this.#setConnection(state),
        refused: (token) => void this.#checkSession(token),
      },
    );
    this.#http = this.#transport.http;
    this.#feed = new HistoryFeed(
      (method, path) => this.#call(method, path),
      options.pageSize ?? 20,
      () => this.#user?.id,
      () => this.#changed(),
    );
  }

  get state(): ClientState {
    return {
      user: this.#user,
      authenticated: this.#authenticated,
      conversations: visibleConversations(this.#feed.history),
      pending: this.#feed.history.pending,
      unreadCount: unreadTotal(this.#feed.history),
      connection: this.#connection,
      hasOlder: nextOlder(this.#feed.history) !== undefined,
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
  async start(): Promise<void> {
    this.#running = true;
    this.#http.start();
    await this.#serial.run(async () => {
      if (this.#token) return; // a login that ran before start already made the session
      const stored = this.#store.get();
      if (stored && (await this.#resume(stored))) return;
      await this.#startOver('relogin');
    });
    await this.#afterSessionChange();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#refreshTimer);
    this.#http.stop();
    this.#transport.socket.close();
    this.#setConnection('idle');
  }

  /**
   * Logs the device in with a token from the host page. The function is kept and
   * called again when the token nears expiry or the server asks for a fresh one. A
   * failure leaves the device usable as it was (anonymous, say) and says why. Sends
   * made meanwhile wait for it.
   */
  login(getToken: GetToken): Promise<LoginOutcome> {
    this.#getToken = getToken;
    if (this.#login?.getToken === getToken) return this.#login.promise;
    // Before start, the stored session counts: a visitor's earlier history joins the login (IDENTITY.md §3.4).
    const promise = this.#serial
      .run(() => this.#logIn(getToken, this.#token ?? this.#store.get()))
      .then(async (outcome) => {
        if (outcome.ok) await this.#afterSessionChange();
        return outcome;
      });
    const current = { getToken, promise };
    this.#login = current;
    void promise.finally(() => {
      if (this.#login === current) this.#login = undefined;
    });
    return promise;
  }

  /** Ends the session; the device starts over as a fresh anonymous visitor with an empty history. */
  async logout(): Promise<void> {
    this.#getToken = undefined;
    clearTimeout(this.#refreshTimer);
    await this.#serial.run(async () => {
      const token = this.#token;
      if (token) await this.#call('POST', '/v1/client/logout', undefined, { token, retries: 2 });
      await this.#startOver('anonymous');
    });
    await this.#afterSessionChange();
  }

  /** Sends a message; safe to call offline or mid-login: it is retried with the same id until stored. */
  send(text: string, conversationId?: string): string {
    const clientMessageId = randomId();
    const pending: PendingMessage = {
      id: null,
      clientMessageId,
      conversationId: conversationId ?? newestConversation(this.#feed.history)?.id ?? '',
      author: { type: 'user', id: this.#user?.id ?? null, name: this.#user?.name ?? null },
      text,
      authenticated: this.#authenticated,
      createdAt: new Date().toISOString(),
      status: 'sending',
    };
    this.#feed.history = { ...this.#feed.history, pending: [...this.#feed.history.pending, pending] };
    this.#changed();
    void this.#deliver(pending, conversationId);
    return clientMessageId;
  }

  /** Fetches the next older page (messages of the oldest shown conversation, or older conversations). */
  loadOlder(): Promise<boolean> {
    return this.#feed.loadOlder();
  }

  typing(conversationId?: string): void {
    const id = conversationId ?? newestConversation(this.#feed.history)?.id;
    if (id) this.#socketSend({ type: 'typing', conversationId: id });
  }

  /** Marks everything shown as read: the badge clears here and on the user's other devices. */
  markRead(): void {
    for (const conversation of this.#feed.history.conversations) {
      const last = conversation.messages.at(-1);
      if (!last || conversation.unreadCount === 0) continue;
      this.#feed.history = markConversationRead(this.#feed.history, conversation.id, last.id);
      const body = { conversationId: conversation.id, messageId: last.id };
      if (!this.#socketSend({ type: 'read', ...body }))
        void this.#call('POST', '/v1/client/read', body, { retries: 2 });
    }
    this.#changed();
  }

  // ---- session changes, one at a time ------------------------------------------------

  /** Takes a stored token if the server still knows it; false when the session is over. */
  async #resume(token: string): Promise<boolean> {
    const answer = await this.#call('GET', '/v1/client/session', undefined, { token });
    if (answer.status !== 200) return false;
    this.#adopt(token, answer.body.user, answer.body.authenticated, false);
    return true;
  }

  /**
   * The session is gone (or there never was one): forget token and history, then log in
   * again through the page's function when asked to and able, else start anonymous.
   */
  async #startOver(next: Next): Promise<'login' | 'anonymous'> {
    const before = { user: this.#user?.id, authenticated: this.#authenticated };
    this.#store.clear();
    this.#token = null;
    this.#user = null;
    this.#authenticated = false;
    // Pending sends stay on screen while the next session is made; they are dropped below if it is someone else's.
    this.#feed.forget();
    if (next === 'anonymous') {
      this.#getToken = undefined;
      clearTimeout(this.#refreshTimer);
    }
    let how: 'login' | 'anonymous' = 'anonymous';
    if (next === 'relogin' && this.#getToken && (await this.#logIn(this.#getToken, null)).ok) how = 'login';
    else await this.#createAnonymous();
    // What the previous user typed never goes out as someone else.
    const sameUser = !before.authenticated || before.user === (this.#user as User | null)?.id;
    if (next === 'anonymous' || !sameUser) this.#feed.dropPending();
    this.#changed();
    return how;
  }

  async #createAnonymous(): Promise<void> {
    const answer = await this.#call('POST', '/v1/client/sessions', {}, { token: null });
    if (answer.status !== 201) throw new Error(`could not start a session: ${answer.status}`);
    this.#adopt(answer.body.sessionToken, answer.body.user, false, false);
  }

  /**
   * Makes `token` the session: stored for reloads, and the socket moves to it at once
   * (a socket of the old session must never carry a send meant for the new one).
   */
  #adopt(token: string, user: User, authenticated: boolean, keepHistory: boolean): void {
    // Someone else on this device: never show them the previous user's history.
    if (this.#user && this.#user.id !== user.id && !keepHistory) this.#feed.forget();
    this.#store.set(token);
    this.#token = token;
    this.#user = user;
    this.#authenticated = authenticated;
    if (this.#running && this.#transport.socket.token !== token) this.#transport.socket.connect(token);
    this.#changed();
  }

  async #logIn(getToken: GetToken, bearer: string | null): Promise<LoginOutcome> {
    let jwt: string;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // A page whose token function never answers must not hold the messenger (and its queued sends) forever.
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), TOKEN_TIMEOUT_MS);
      });
      jwt = await Promise.race([Promise.resolve(getToken()), late]);
    } catch {
      return this.#loginFailed('token_unavailable');
    } finally {
      clearTimeout(timer);
    }
    if (typeof jwt !== 'string' || jwt === '') return this.#loginFailed('token_unavailable');
    const answer = await this.#call(
      'POST',
      '/v1/client/login',
      { jwt },
      { token: bearer, retries: LOGIN_ATTEMPTS },
    );
    if (answer.status === 0) return this.#loginFailed('server_unreachable');
    if (answer.status !== 200)
      return this.#loginFailed(answer.body?.error?.reason ?? answer.code ?? 'login_failed');
    const body = answer.body;
    this.#adopt(body.sessionToken, body.user, true, body.mergedAnonymous === true);
    this.#scheduleRefresh(jwt);
    return { ok: true, user: body.user, emailOutcome: body.emailOutcome };
  }

  #loginFailed(reason: string): LoginOutcome {
    this.#emit('loginFailed', { reason });
    return { ok: false, reason };
  }

  #scheduleRefresh(jwt: string): void {
    clearTimeout(this.#refreshTimer);
    const exp = tokenExpiry(jwt);
    if (exp === undefined) return;
    const wait = Math.max(1000, (exp - this.#refreshBefore) * 1000 - Date.now());
    this.#refreshTimer = setTimeout(() => this.#relogin(), wait);
  }

  /** Continuity: a fresh token from the page, presented with the current session token. */
  #relogin(): void {
    if (this.#getToken && !this.#http.stopped) void this.login(this.#getToken);
  }

  /**
   * A session token is over (a 401, a refused socket, `session.ended`). Nothing to do
   * when the client already moved on; if another tab stored a newer token, follow it;
   * otherwise start over as IDENTITY.md §7 says for `reason`.
   */
  #sessionOver(ended: string, reason: string, next: Next, waitForNewerMs = 0): Promise<void> {
    return this.#serial
      .run(async () => {
        if (ended !== this.#token) return false;
        const deadline = Date.now() + waitForNewerMs;
        for (;;) {
          const stored = this.#store.get();
          if (stored && stored !== ended && (await this.#resume(stored))) {
            this.#emit('sessionEnded', { reason, next: 'adopted' });
            return true;
          }
          if (Date.now() >= deadline || this.#http.stopped) break;
          await this.#http.sleep(100);
        }
        const how = await this.#startOver(next);
        this.#emit('sessionEnded', { reason, next: how });
        return true;
      })
      .then(
        (changed) => (changed ? this.#afterSessionChange() : undefined),
        () => this.#afterSessionChange(),
      );
  }

  /** The socket was refused: ask over HTTP whether the session is over or the server hiccupped. */
  async #checkSession(token: string): Promise<void> {
    const answer = await this.#call('GET', '/v1/client/session', undefined, { token, retries: 3 });
    if (sessionOver(answer)) await this.#sessionOver(token, answer.code ?? 'invalid_session', 'relogin');
    else if (this.#running && token === this.#token) this.#transport.socket.retry(token);
  }

  /** History of the session now current, then live on it. */
  async #afterSessionChange(): Promise<void> {
    if (!this.#running) return;
    await this.#feed.refetch();
    if (this.#running && this.#token && this.#transport.socket.token !== this.#token)
      this.#transport.socket.connect(this.#token);
  }

  /** Over the socket only when it belongs to the current session. */
  #socketSend(frame: Record<string, unknown>): boolean {
    return this.#transport.sendOn(this.#token, frame);
  }

  // ---- history and sending -----------------------------------------------------------

  async #deliver(pending: PendingMessage, conversationId: string | undefined): Promise<void> {
    const id = pending.clientMessageId;
    if (this.#posting.has(id)) return;
    this.#posting.add(id);
    try {
      const frame = {
        text: pending.text,
        clientMessageId: id,
        ...(conversationId ? { conversationId } : {}),
      };
      for (let refused = 0; refused < 3; ) {
        await this.#serial.settled();
        if (!this.#stillPending(id) || this.#http.stopped) return;
        // Over the socket when it is live (the ack, or the next `ready`, settles it).
        if (this.#socketSend({ type: 'message.send', ...frame })) return;
        const answer = await this.#call('POST', '/v1/client/messages', frame);
        if (answer.status === 200 || answer.status === 201) return this.#stored(answer.body);
        if (answer.status === 0) return; // stopped
        if (answer.status !== 401) return this.#failed(id);
        refused++; // the session is being replaced: send again through the new one
      }
      this.#failed(id);
    } finally {
      this.#posting.delete(id);
    }
  }

  #stillPending(clientMessageId: string): boolean {
    return this.#feed.history.pending.some(
      (p) => p.clientMessageId === clientMessageId && p.status === 'sending',
    );
  }

  #stored(message: Message): void {
    this.#feed.history = addMessage(this.#feed.history, message, false);
    this.#changed();
  }

  #failed(clientMessageId: string): void {
    this.#feed.history = {
      ...this.#feed.history,
      pending: this.#feed.history.pending.map((p) =>
        p.clientMessageId === clientMessageId ? { ...p, status: 'failed' } : p,
      ),
    };
    this.#changed();
  }

  // ---- live socket ----------------------------------------------------------------------

  #onFrame(frame: ServerFrame, token: string): void {
    if (frame.cursor) this.#feed.cursor = frame.cursor;
    switch (frame.type) {
      case 'ready':
        for (const pending of this.#feed.history.pending)
          if (pending.status === 'sending') void this.#deliver(pending, undefined);
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
        this.#relogin();
        return;
      case 'session.ended':
        this.#onEnded(token, String(frame.reason));
        return;
      case 'error':
        this.#onError(frame, token);
        return;
    }
  }

  /** IDENTITY.md §7: what each reason asks of the device. */
  #onEnded(token: string, reason: string): void {
    if (reason === 'replaced') {
      // A login on this device: this tab's own (nothing to do), or another tab's (its token shows up in the store).
      void this.#sessionOver(token, reason, 'relogin', 5000);
    } else if (reason === 'logout' || reason === 'erased') {
      void this.#sessionOver(token, reason, 'anonymous');
    } else {
      void this.#sessionOver(token, reason, 'relogin'); // expired, key_deleted, merged, and any later reason
    }
  }

  #onError(frame: ServerFrame, token: string): void {
    const code = String(frame.code);
    if (code === 'bad_cursor') {
      void this.#feed.refetch();
      return;
    }
    const pending = this.#feed.history.pending.find((p) => p.clientMessageId === frame.clientMessageId);
    if (SESSION_OVER.has(code)) {
      // Sent on a session that has just ended: it goes again through the next one.
      void this.#sessionOver(token, code, 'relogin').then(() => pending && this.#deliver(pending, undefined));
      return;
    }
    if (!pending) return;
    if (code === 'rate_limited' || code === 'internal' || code === 'unavailable') {
      void this.#http
        .sleep(backoffDelay(1, 1000, this.#backoff.maxMs))
        .then(() => this.#deliver(pending, undefined));
    } else this.#failed(pending.clientMessageId);
  }

  // ---- plumbing ---------------------------------------------------------------------

  /**
   * One request. Without an explicit token it waits for any session change and uses the
   * session then current; a 401 that says that session is over starts the recovery (the
   * caller still gets the 401). Transient answers are retried (Requester).
   */
  async #call(
    method: string,
    path: string,
    body?: unknown,
    options: { token?: string | null; retries?: number } = {},
  ): Promise<Answer> {
    const explicit = options.token !== undefined;
    const token = explicit
      ? () => options.token ?? null
      : async () => {
          await this.#serial.settled();
          return this.#token;
        };
    const answer = await this.#http.call(method, path, body, token, options.retries);
    if (!explicit && answer.token && sessionOver(answer))
      void this.#sessionOver(answer.token, answer.code ?? 'invalid_session', 'relogin');
    return answer;
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

/** Browsers have it; Node has none (or, in newer versions, one that throws without a file). */
function hasLocalStorage(): boolean {
  try {
    return typeof globalThis.localStorage?.getItem === 'function';
  } catch {
    return false;
  }
}

function randomId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  );
}
