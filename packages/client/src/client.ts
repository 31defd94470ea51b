import { backoffDelay } from './backoff.ts';
import {
  addMessage,
  type ConversationWithMessages,
  emptyHistory,
  fromServer,
  type History,
  markConversationRead,
  newestConversation,
  unreadTotal,
  upsertConversation,
} from './history.ts';
import { tokenExpiry } from './jwt.ts';
import { localStorageStore, memoryStore } from './token-store.ts';
import type {
  ConnectionState,
  Conversation,
  Message,
  PendingMessage,
  ServerFrame,
  TokenStore,
  User,
  WebSocketFactory,
  WebSocketLike,
} from './types.ts';

export type ClientOptions = {
  /** The Signet server, e.g. `https://support.example.com`. */
  serverUrl: string;
  /** Where the session token survives reloads; localStorage in browsers, memory elsewhere. */
  store?: TokenStore;
  /** How to open a WebSocket; defaults to the global `WebSocket` (pass `ws` in Node 20). */
  webSocket?: WebSocketFactory;
  fetch?: typeof fetch;
  /** Ask for a fresh token this long before the current one expires. */
  refreshBeforeExpirySeconds?: number;
  reconnect?: { minMs: number; maxMs: number };
};

export type ClientState = {
  user: User | null;
  authenticated: boolean;
  conversations: ConversationWithMessages[];
  pending: PendingMessage[];
  unreadCount: number;
  connection: ConnectionState;
};

export type LoginOutcome = { ok: true; user: User; emailOutcome: string } | { ok: false; reason: string };

type Events = {
  change: ClientState;
  message: Message;
  unread: number;
  typing: { conversationId: string; author: { type: string; name: string | null } };
  loginFailed: { reason: string };
  reauth: { reason: string };
};

type GetToken = () => string | Promise<string>;

/**
 * The messenger without a UI: one session per device, kept across reloads; logins
 * through the host page's token function; history and live events, resumed by cursor
 * after any drop. A UI renders `state` and listens to `change`.
 */
export class SignetClient {
  readonly #server: string;
  readonly #store: TokenStore;
  readonly #openSocket: WebSocketFactory;
  readonly #fetch: typeof fetch;
  readonly #refreshBefore: number;
  readonly #reconnect: { minMs: number; maxMs: number };
  readonly #listeners = new Map<keyof Events, Set<(value: never) => void>>();

  #history: History = emptyHistory();
  #user: User | null = null;
  #authenticated = false;
  #connection: ConnectionState = 'idle';
  #cursor: string | undefined;
  #socket: WebSocketLike | undefined;
  #socketToken: string | undefined;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #getToken: GetToken | undefined;
  #stopped = false;
  #loginInFlight: Promise<LoginOutcome> | undefined;
  #lastUnread = 0;

  constructor(options: ClientOptions) {
    this.#server = options.serverUrl.replace(/\/$/, '');
    this.#store =
      options.store ?? (globalThis.localStorage ? localStorageStore(this.#server) : memoryStore());
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#openSocket =
      options.webSocket ??
      ((url) => new (globalThis.WebSocket as unknown as new (u: string) => WebSocketLike)(url));
    this.#refreshBefore = options.refreshBeforeExpirySeconds ?? 60;
    this.#reconnect = options.reconnect ?? { minMs: 500, maxMs: 15_000 };
  }

  get state(): ClientState {
    return {
      user: this.#user,
      authenticated: this.#authenticated,
      conversations: this.#history.conversations,
      pending: this.#history.pending,
      unreadCount: unreadTotal(this.#history),
      connection: this.#connection,
    };
  }

  on<E extends keyof Events>(event: E, listener: (value: Events[E]) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  /** Restores the stored session (or starts an anonymous one), loads history, goes live. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#ensureSession();
    await this.#refetch();
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#retryTimer);
    this.#closeSocket();
    this.#setConnection('idle');
  }

  /**
   * Logs the device in with a token from the host page. The function is kept and
   * called again when the token nears expiry or the server asks for a fresh one. A
   * failure leaves the device usable as it was (anonymous, say) and says why.
   */
  login(getToken: GetToken): Promise<LoginOutcome> {
    this.#getToken = getToken;
    this.#loginInFlight ??= this.#login(getToken).finally(() => {
      this.#loginInFlight = undefined;
    });
    return this.#loginInFlight;
  }

  /** Ends the session; the device starts over as a fresh anonymous visitor with an empty history. */
  async logout(): Promise<void> {
    this.#getToken = undefined;
    clearTimeout(this.#refreshTimer);
    const token = this.#store.get();
    if (token) await this.#request('POST', '/v1/client/logout', undefined, token).catch(() => undefined);
    this.#store.clear();
    await this.#becomeAnonymous();
  }

  /** Sends a message; safe to call offline: it is retried with the same id until stored. */
  send(text: string, conversationId?: string): string {
    const clientMessageId = randomId();
    const pending: PendingMessage = {
      id: null,
      clientMessageId,
      conversationId: conversationId ?? newestConversation(this.#history)?.id ?? '',
      author: { type: 'user', id: this.#user?.id ?? null, name: this.#user?.name ?? null },
      text,
      authenticated: this.#authenticated,
      createdAt: new Date().toISOString(),
      status: 'sending',
    };
    this.#history = { ...this.#history, pending: [...this.#history.pending, pending] };
    this.#changed();
    this.#deliver(pending, conversationId);
    return clientMessageId;
  }

  typing(conversationId?: string): void {
    const id = conversationId ?? newestConversation(this.#history)?.id;
    if (id && this.#connection === 'online')
      this.#socket?.send(JSON.stringify({ type: 'typing', conversationId: id }));
  }

  /** Marks everything shown as read: the badge clears here and on the user's other devices. */
  markRead(): void {
    for (const conversation of this.#history.conversations) {
      const last = conversation.messages.at(-1);
      if (!last || conversation.unreadCount === 0) continue;
      this.#history = markConversationRead(this.#history, conversation.id, last.id);
      const body = { conversationId: conversation.id, messageId: last.id };
      if (this.#connection === 'online') this.#socket?.send(JSON.stringify({ type: 'read', ...body }));
      else void this.#request('POST', '/v1/client/read', body).catch(() => undefined);
    }
    this.#changed();
  }

  // ---- session -------------------------------------------------------------------

  async #ensureSession(): Promise<void> {
    const token = this.#store.get();
    if (token) {
      const response = await this.#request('GET', '/v1/client/session', undefined, token).catch(
        () => undefined,
      );
      if (response?.ok) {
        const body = await response.json();
        this.#user = body.user;
        this.#authenticated = body.authenticated;
        return;
      }
      if (response === undefined) throw new Error('server unreachable');
    }
    await this.#createAnonymous();
  }

  async #createAnonymous(): Promise<void> {
    const response = await this.#request('POST', '/v1/client/sessions', {}, null);
    if (!response.ok) throw new Error(`could not start a session: ${response.status}`);
    const body = await response.json();
    this.#store.set(body.sessionToken);
    this.#user = body.user;
    this.#authenticated = false;
  }

  async #becomeAnonymous(): Promise<void> {
    this.#history = emptyHistory();
    this.#cursor = undefined;
    await this.#createAnonymous();
    this.#changed();
    await this.#refetch();
    this.#reconnectNow();
  }

  async #login(getToken: GetToken): Promise<LoginOutcome> {
    let jwt: string;
    try {
      jwt = await getToken();
    } catch {
      return this.#loginFailed('token_unavailable');
    }
    if (!this.#store.get()) await this.#ensureSession().catch(() => undefined);
    const response = await this.#request('POST', '/v1/client/login', { jwt }).catch(() => undefined);
    if (!response) return this.#loginFailed('server_unreachable');
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return this.#loginFailed(body?.error?.reason ?? body?.error?.code ?? 'login_failed');

    const switchedUser = this.#user !== null && body.user.id !== this.#user.id && !body.mergedAnonymous;
    this.#store.set(body.sessionToken);
    this.#user = body.user;
    this.#authenticated = true;
    if (switchedUser) {
      // Someone else on this device: never show them the previous user's history.
      this.#history = emptyHistory();
      this.#cursor = undefined;
    }
    this.#scheduleRefresh(jwt);
    this.#changed();
    await this.#refetch();
    this.#reconnectNow();
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
    this.#refreshTimer = setTimeout(() => {
      if (this.#getToken && !this.#stopped) void this.login(this.#getToken);
    }, wait);
  }

  // ---- history and sending -----------------------------------------------------------

  async #refetch(): Promise<void> {
    const response = await this.#request('GET', '/v1/client/conversations').catch(() => undefined);
    if (!response?.ok) return;
    const body = await response.json();
    const pending = this.#history.pending;
    this.#history = { ...fromServer(body.data), pending };
    this.#cursor = body.eventCursor;
    this.#changed();
  }

  #deliver(pending: PendingMessage, conversationId: string | undefined, attempt = 0): void {
    const frame = {
      text: pending.text,
      clientMessageId: pending.clientMessageId,
      ...(conversationId ? { conversationId } : {}),
    };
    if (this.#connection === 'online' && this.#socket) {
      this.#socket.send(JSON.stringify({ type: 'message.send', ...frame }));
      return; // the ack, or a reconnect's resend, settles it
    }
    void this.#request('POST', '/v1/client/messages', frame)
      .then(async (response) => {
        if (response.ok) return this.#stored(await response.json());
        if (response.status >= 400 && response.status < 500 && response.status !== 429)
          return this.#failed(pending);
        throw new Error(String(response.status));
      })
      .catch(() => {
        this.#retryTimer = setTimeout(
          () => this.#stillPending(pending) && this.#deliver(pending, conversationId, attempt + 1),
          backoffDelay(attempt, this.#reconnect.minMs, this.#reconnect.maxMs),
        );
      });
  }

  #stillPending(pending: PendingMessage): boolean {
    return this.#history.pending.some((p) => p.clientMessageId === pending.clientMessageId);
  }

  #stored(message: Message): void {
    this.#history = addMessage(this.#history, message, false);
    this.#changed();
  }

  #failed(pending: PendingMessage): void {
    this.#history = {
      ...this.#history,
      pending: this.#history.pending.map((p) =>
        p.clientMessageId === pending.clientMessageId ? { ...p, status: 'failed' } : p,
      ),
    };
    this.#changed();
  }

  // ---- live socket ----------------------------------------------------------------------

  #connect(): void {
    if (this.#stopped) return;
    const token = this.#store.get();
    if (!token) return;
    this.#setConnection('connecting');
    const socket = this.#openSocket(`${this.#server.replace(/^http/, 'ws')}/v1/client/ws`);
    this.#socket = socket;
    this.#socketToken = token;
    socket.onopen = () =>
      socket.send(JSON.stringify({ type: 'auth', sessionToken: token, since: this.#cursor }));
    socket.onmessage = (event) => {
      if (socket !== this.#socket) return;
      this.#onFrame(JSON.parse(String(event.data)) as ServerFrame);
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      this.#setConnection('offline');
      if (event.code === 4401) {
        // The session is gone (expired, erased): start a fresh one before retrying.
        void this.#ensureSession()
          .then(() => this.#refetch())
          .finally(() => this.#scheduleReconnect());
        return;
      }
      if (event.code !== 4000) this.#scheduleReconnect();
    };
  }

  #onFrame(frame: ServerFrame): void {
    if (frame.cursor) this.#cursor = frame.cursor;
    switch (frame.type) {
      case 'ready':
        this.#attempt = 0;
        this.#setConnection('online');
        for (const pending of this.#history.pending)
          if (pending.status === 'sending') this.#deliver(pending, undefined);
        return;
      case 'message.created': {
        const message = frame.message as Message;
        const fromOthers = message.author.type !== 'user';
        this.#history = addMessage(this.#history, message, fromOthers);
        this.#changed();
        if (fromOthers) this.#emit('message', message);
        return;
      }
      case 'message.ack':
        this.#stored(frame.message as Message);
        return;
      case 'conversation.created':
      case 'conversation.updated':
        this.#history = upsertConversation(this.#history, frame.conversation as Conversation);
        this.#changed();
        return;
      case 'read': {
        const by = frame.by as { type: string };
        if (by.type === 'user') {
          this.#history = markConversationRead(
            this.#history,
            frame.conversationId as string,
            frame.messageId as string,
          );
          this.#changed();
        }
        return;
      }
      case 'typing':
        this.#emit('typing', frame as unknown as Events['typing']);
        return;
      case 'session.reauth_required':
        this.#authenticated = false;
        this.#changed();
        this.#emit('reauth', { reason: String(frame.reason) });
        if (this.#getToken) void this.login(this.#getToken);
        return;
      case 'session.ended':
        void this.#onSessionEnded(frame.reason === 'replaced');
        return;
      case 'error':
        if (frame.code === 'bad_cursor') void this.#refetch();
        else if (typeof frame.clientMessageId === 'string') this.#retryLater(frame.clientMessageId);
        return;
    }
  }

  /**
   * Logged out (here or elsewhere), or replaced by a login: in this tab the login
   * already carries on; in another tab sharing the store, the new token shows up there
   * in a moment and this tab follows it. Only a real logout starts over anonymously.
   */
  async #onSessionEnded(replaced: boolean): Promise<void> {
    const endedToken = this.#socketToken;
    if (this.#loginInFlight) return;
    const deadline = Date.now() + (replaced ? 5000 : 0);
    for (;;) {
      const stored = this.#store.get();
      if (stored && stored !== endedToken) {
        await this.#ensureSession();
        await this.#refetch();
        this.#reconnectNow();
        return;
      }
      if (Date.now() >= deadline || this.#loginInFlight) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (this.#loginInFlight || this.#store.get() !== endedToken) return;
    this.#store.clear();
    await this.#becomeAnonymous();
  }

  #retryLater(clientMessageId: string): void {
    const pending = this.#history.pending.find((p) => p.clientMessageId === clientMessageId);
    if (!pending) return;
    this.#retryTimer = setTimeout(
      () => this.#stillPending(pending) && this.#deliver(pending, undefined),
      1000,
    );
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    clearTimeout(this.#reconnectTimer);
    const delay = backoffDelay(this.#attempt++, this.#reconnect.minMs, this.#reconnect.maxMs);
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  #reconnectNow(): void {
    this.#closeSocket();
    this.#connect();
  }

  #closeSocket(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket && socket.readyState <= 1) socket.close(1000, 'client closing');
  }

  // ---- plumbing ---------------------------------------------------------------------

  #request(
    method: string,
    path: string,
    body?: unknown,
    token: string | null = this.#store.get(),
  ): Promise<Response> {
    return this.#fetch(`${this.#server}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
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

function randomId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  );
}
