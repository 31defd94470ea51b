import { type Answer, sessionOver } from './http.ts';
import { tokenExpiry } from './jwt.ts';
import { Serial } from './serial.ts';
import type { Transport } from './transport.ts';
import type { TokenStore, User } from './types.ts';

export type LoginOutcome = { ok: true; user: User; emailOutcome: string } | { ok: false; reason: string };
export type GetToken = () => string | Promise<string>;
/** After a session is over: log in again through the page's function, or start anonymous. */
type Next = 'relogin' | 'anonymous';

/** What a change of session does to the rest of the client. */
export type SessionHooks = {
  /** Someone else (or no one) on this device now: the loaded history goes. */
  forget(): void;
  /** The previous user's pending sends never go out as the next one. */
  dropPending(): void;
  /** History of the session now current. */
  refetch(): Promise<void>;
  changed(): void;
  loginFailed(reason: string): void;
  ended(reason: string, next: 'login' | 'anonymous' | 'adopted'): void;
};

const LOGIN_ATTEMPTS = 5;
const TOKEN_TIMEOUT_MS = 30_000;

/**
 * The device's session: its token (kept in `store` across reloads), user and state.
 * Every change of session (start, login, logout, a session that ended) runs alone, in
 * order; requests and sends wait for it (`settled`), so one made while the page's login
 * is pending goes out through the session that login creates.
 */
export class Session {
  readonly #serial = new Serial();
  #token: string | null = null;
  #user: User | null = null;
  #authenticated = false;
  #running = false;
  #login: { getToken: GetToken; promise: Promise<LoginOutcome> } | undefined;
  #getToken: GetToken | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: TokenStore,
    private readonly transport: Transport,
    private readonly refreshBefore: number,
    private readonly hooks: SessionHooks,
  ) {}

  get user(): User | null {
    return this.#user;
  }

  get authenticated(): boolean {
    return this.#authenticated;
  }

  /** Restores the stored session, or waits for a login under way, or starts an anonymous one; then goes live. */
  async start(): Promise<void> {
    this.#running = true;
    this.transport.http.start();
    await this.#serial.run(async () => {
      if (this.#token) return; // a login that ran before start already made the session
      const stored = this.store.get();
      if (stored && (await this.#resume(stored))) return;
      await this.#startOver('relogin');
    });
    await this.#afterChange();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#refreshTimer);
    this.transport.http.stop();
    this.transport.socket.close();
  }

  login(getToken: GetToken): Promise<LoginOutcome> {
    this.#getToken = getToken;
    if (this.#login?.getToken === getToken) return this.#login.promise;
    // Before start, the stored session counts: a visitor's earlier history joins the login (IDENTITY.md §3.4).
    const promise = this.#serial
      .run(() => this.#logIn(getToken, this.#token ?? this.store.get()))
      .then(async (outcome) => {
        if (outcome.ok) await this.#afterChange();
        return outcome;
      });
    const current = { getToken, promise };
    this.#login = current;
    void promise.finally(() => {
      if (this.#login === current) this.#login = undefined;
    });
    return promise;
  }

  async logout(): Promise<void> {
    this.#getToken = undefined;
    clearTimeout(this.#refreshTimer);
    await this.#serial.run(async () => {
      const token = this.#token;
      if (token) await this.call('POST', '/v1/client/logout', undefined, { token, retries: 2 });
      await this.#startOver('anonymous');
    });
    await this.#afterChange();
  }

  /** Continuity: a fresh token from the page, presented with the current session token. */
  relogin(): void {
    if (this.#getToken && !this.transport.http.stopped) void this.login(this.#getToken);
  }

  /** Waits until no session change is running or queued. */
  settled(): Promise<void> {
    return this.#serial.settled();
  }

  /** Over the socket only when it belongs to the current session. */
  sendOnSocket(frame: Record<string, unknown>): boolean {
    return this.transport.sendOn(this.#token, frame);
  }

  /**
   * One request. Without an explicit token it waits for any session change and uses the
   * session then current; a 401 that says that session is over starts the recovery (the
   * caller still gets the 401). Transient answers are retried (Requester).
   */
  async call(
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
    const answer = await this.transport.http.call(method, path, body, token, options.retries);
    if (!explicit && answer.token && sessionOver(answer))
      void this.over(answer.token, answer.code ?? 'invalid_session', 'relogin');
    return answer;
  }

  /** `session.ended` on the socket of `token`: IDENTITY.md §7 says what each reason asks of the device. */
  ended(token: string, reason: string): void {
    if (reason === 'replaced') {
      // A login on this device: this tab's own (nothing to do), or another tab's (its token shows up in the store).
      void this.over(token, reason, 'relogin', 5000);
    } else if (reason === 'logout' || reason === 'erased') {
      void this.over(token, reason, 'anonymous');
    } else {
      void this.over(token, reason, 'relogin'); // expired, key_deleted, merged, and any later reason
    }
  }

  /**
   * A session token is over (a 401, a refused socket, `session.ended`). Nothing to do
   * when the client already moved on; if another tab stored a newer token, follow it;
   * otherwise start over as IDENTITY.md §7 says for `reason`.
   */
  over(ended: string, reason: string, next: Next, waitForNewerMs = 0): Promise<void> {
    return this.#serial
      .run(async () => {
        if (ended !== this.#token) return false;
        const deadline = Date.now() + waitForNewerMs;
        for (;;) {
          const stored = this.store.get();
          if (stored && stored !== ended && (await this.#resume(stored))) {
            this.hooks.ended(reason, 'adopted');
            return true;
          }
          if (Date.now() >= deadline || this.transport.http.stopped) break;
          await this.transport.http.sleep(100);
        }
        const how = await this.#startOver(next);
        this.hooks.ended(reason, how);
        return true;
      })
      .then(
        (changed) => (changed ? this.#afterChange() : undefined),
        () => this.#afterChange(),
      );
  }

  /** The socket was refused: ask over HTTP whether the session is over or the server hiccupped. */
  async check(token: string): Promise<void> {
    const answer = await this.call('GET', '/v1/client/session', undefined, { token, retries: 3 });
    if (sessionOver(answer)) await this.over(token, answer.code ?? 'invalid_session', 'relogin');
    else if (this.#running && token === this.#token) this.transport.socket.retry(token);
  }

  /** Takes a stored token if the server still knows it; false when the session is over. */
  async #resume(token: string): Promise<boolean> {
    const answer = await this.call('GET', '/v1/client/session', undefined, { token });
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
    this.store.clear();
    this.#token = null;
    this.#user = null;
    this.#authenticated = false;
    // Pending sends stay on screen while the next session is made; they are dropped below if it is someone else's.
    this.hooks.forget();
    if (next === 'anonymous') {
      this.#getToken = undefined;
      clearTimeout(this.#refreshTimer);
    }
    let how: 'login' | 'anonymous' = 'anonymous';
    if (next === 'relogin' && this.#getToken && (await this.#logIn(this.#getToken, null)).ok) how = 'login';
    else await this.#createAnonymous();
    // What the previous user typed never goes out as someone else.
    const sameUser = !before.authenticated || before.user === (this.#user as User | null)?.id;
    if (next === 'anonymous' || !sameUser) this.hooks.dropPending();
    this.hooks.changed();
    return how;
  }

  async #createAnonymous(): Promise<void> {
    const answer = await this.call('POST', '/v1/client/sessions', {}, { token: null });
    if (answer.status !== 201) throw new Error(`could not start a session: ${answer.status}`);
    this.#adopt(answer.body.sessionToken, answer.body.user, false, false);
  }

  /**
   * Makes `token` the session: stored for reloads, and the socket moves to it at once
   * (a socket of the old session must never carry a send meant for the new one).
   */
  #adopt(token: string, user: User, authenticated: boolean, keepHistory: boolean): void {
    // Someone else on this device: never show them the previous user's history.
    if (this.#user && this.#user.id !== user.id && !keepHistory) this.hooks.forget();
    this.store.set(token);
    this.#token = token;
    this.#user = user;
    this.#authenticated = authenticated;
    if (this.#running && this.transport.socket.token !== token) this.transport.socket.connect(token);
    this.hooks.changed();
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
    const answer = await this.call(
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
    this.hooks.loginFailed(reason);
    return { ok: false, reason };
  }

  /** Expiry: ask the page for a fresh token `refreshBefore` seconds before this one runs out. */
  #scheduleRefresh(jwt: string): void {
    clearTimeout(this.#refreshTimer);
    const exp = tokenExpiry(jwt);
    if (exp === undefined) return;
    const wait = Math.max(1000, (exp - this.refreshBefore) * 1000 - Date.now());
    this.#refreshTimer = setTimeout(() => this.relogin(), wait);
  }

  /** History of the session now current, then live on it. */
  async #afterChange(): Promise<void> {
    if (!this.#running) return;
    await this.hooks.refetch();
    if (this.#running && this.#token && this.transport.socket.token !== this.#token)
      this.transport.socket.connect(this.#token);
  }
}
