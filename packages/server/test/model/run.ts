import type { LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import type { TestServer } from '../harness.ts';
import { EMAILS, type EmailChoice, EXTERNAL_IDS, type Lifetime } from './actions.ts';
import { type Invariant, isKnownGap } from './known-gaps.ts';
import { AUTHENTICATED_SESSION_MS, Model, type ModelSession, SESSION_LEEWAY_MS } from './model.ts';

/** The server's clock for these tests: real time plus however far the model moved it. */
export class Clock {
  offset = 0;
  now = () => Date.now() + this.offset;
}

/** How often each interesting case came up, across every sequence of a suite. */
export const coverage = new Map<string, number>();
export const covered = (what: string) => coverage.set(what, (coverage.get(what) ?? 0) + 1);

/** A known gap was hit and this sequence cannot be followed further: it ends, passing. */
export class KnownGapHit extends Error {}

let runs = 0;

/** One generated sequence against one server: the model, the clock and what was seen. */
export class Run {
  readonly model = new Model();
  readonly prefix = `m${++runs}-${Date.now().toString(36)}-`;
  /** External ids this run used, so every step can look each one up. */
  readonly externalIds = new Set<string>();
  /** Sessions the model and the server disagreed on under a known gap: no longer checked. */
  readonly diverged = new Set<ModelSession>();
  readonly gapsHit = new Set<Invariant>();
  step = 0;
  private bursts = 0;
  private sends = 0;

  constructor(
    readonly server: TestServer,
    readonly clock: Clock,
  ) {}

  /**
   * An invariant broke. Under a known gap, `recover` lets the model follow the server
   * and go on (or the sequence ends quietly); otherwise the sequence fails, naming it.
   */
  fail(invariant: Invariant, detail: string, recover?: () => void): void {
    if (isKnownGap(invariant)) {
      this.gapsHit.add(invariant);
      if (!recover) throw new KnownGapHit(invariant);
      recover();
      return;
    }
    throw new Error(`[${invariant}] at step ${this.step}: ${detail}`);
  }

  expect(invariant: Invariant, ok: boolean, detail: () => string, recover?: () => void): boolean {
    if (!ok) this.fail(invariant, detail(), recover);
    return ok;
  }

  /** An ended session's request must answer its 401 (code and first reason). */
  expectEnded(
    session: ModelSession,
    response: LightMyRequestResponse,
    what: string,
    recover?: () => void,
  ): void {
    const { ok, invariant } = judgeEnded(session, response);
    const { code } = endedExpectation(session);
    this.expect(
      invariant,
      ok,
      () =>
        `${what} from a session ended by ${session.endedBy} (user ${session.userId}): expected 401 ${code} (${session.endedBy}), got ${describeResponse(response)}`,
      recover,
    );
  }

  request(method: string, url: string, options: { token?: string; body?: unknown } = {}) {
    return this.server.request(method, url, options);
  }

  admin(method: string, url: string, body?: unknown) {
    return this.server.request(method, url, { token: this.server.adminToken, body });
  }

  externalId(index: number): string {
    const value = `${this.prefix}${EXTERNAL_IDS[index % EXTERNAL_IDS.length]}`;
    this.externalIds.add(value);
    return value;
  }

  newBurstExternalId(): string {
    const value = `${this.prefix}burst-${++this.bursts}`;
    this.externalIds.add(value);
    return value;
  }

  emails(): string[] {
    return EMAILS.map((e) => `${e}.${this.prefix}@model.example`);
  }

  /** The address as a token or API call writes it: sometimes shouting, with spaces. */
  email(choice: EmailChoice): string | null {
    if (!choice) return null;
    const address = this.emails()[choice.index % EMAILS.length]!;
    return choice.shout ? ` ${address.toUpperCase()} ` : address;
  }

  nextClientMessageId(): string {
    return `${this.prefix}msg-${++this.sends}`;
  }

  /** A token as the business's backend signs it, dated by the server's clock. */
  async sign(
    key: { kid: string; secret: string },
    externalId: string,
    email: string | null,
    verified: boolean,
    lifetime: Lifetime,
  ): Promise<{ jwt: string; deadline: number }> {
    const nowMs = this.clock.now();
    const now = Math.floor(nowMs / 1000);
    const claims: Record<string, unknown> = { scope: 'user', external_id: externalId };
    if (email !== null) Object.assign(claims, { email, email_verified: verified });
    const seconds = { '15m': 900, '3h': 10_800, expired: -600, none: null }[lifetime];
    if (seconds !== null) claims.exp = now + seconds;
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid })
      .setIssuedAt(now)
      .sign(new TextEncoder().encode(key.secret));
    this.server.secrets.add(jwt);
    const deadline =
      seconds === null ? nowMs + AUTHENTICATED_SESSION_MS : (now + seconds) * 1000 + SESSION_LEEWAY_MS;
    return { jwt, deadline };
  }

  /** Device slots, most recently used first: index 0 is the device the last step used. */
  private recent: number[] = [];
  private slots = 0;

  /**
   * The device slot an index names: the index-th most recently used device, or (index
   * past the end) a new one. Recency makes "anonymous, send, then log in on that same
   * device" as likely as it is in life.
   */
  deviceSlot(index: number): number {
    const slot = index < this.recent.length ? this.recent[index]! : this.slots++;
    this.recent = [slot, ...this.recent.filter((s) => s !== slot)];
    return slot;
  }

  /** An existing device (never a new one), or undefined when there is none yet. */
  existingDevice(index: number): number | undefined {
    return this.recent.length === 0 ? undefined : this.deviceSlot(index % this.recent.length);
  }
}

export const errorCode = (response: LightMyRequestResponse): string | undefined =>
  response.headers['content-type']?.toString().includes('json') ? response.json()?.error?.code : undefined;

export const describeResponse = (response: LightMyRequestResponse) =>
  `${response.statusCode} ${response.body.slice(0, 300)}`;

/** What an ended session must answer, and which invariant a wrong answer breaks. */
export function endedExpectation(session: ModelSession): { code: string; invariant: Invariant } {
  return endedBy(session.endedBy);
}

/** The 401 an ended session answered: `{error:{code, reason}}`. */
export const endedAnswer = (response: LightMyRequestResponse) => {
  const error = response.headers['content-type']?.toString().includes('json')
    ? response.json()?.error
    : undefined;
  return { status: response.statusCode, code: error?.code, reason: error?.reason };
};

/**
 * Whether an ended session answered as the model says (401, its code, the reason that
 * ended it first), and if not, which invariant that breaks: a reason from a later
 * event means the first one did not stick.
 */
export function judgeEnded(
  session: ModelSession,
  response: LightMyRequestResponse,
): { ok: boolean; invariant: Invariant } {
  const { code, invariant } = endedBy(session.endedBy);
  const got = endedAnswer(response);
  if (got.status !== 401) return { ok: false, invariant };
  if (got.code === code && got.reason === session.endedBy) return { ok: true, invariant };
  return {
    ok: false,
    invariant: session.laterEnds.includes(got.reason) ? 'end-reason-sticks' : 'session-end-code',
  };
}

function endedBy(reason: string | null): { code: string; invariant: Invariant } {
  switch (reason) {
    case 'expired':
      return { code: 'session_expired', invariant: 'session-expiry' };
    case 'logout':
      return { code: 'session_ended', invariant: 'logout-ends-session' };
    case 'replaced':
      return { code: 'session_ended', invariant: 'login-replaces-session' };
    case 'key_deleted':
      return { code: 'session_ended', invariant: 'key-deletion-ends-sessions' };
    case 'merged':
      return { code: 'session_ended', invariant: 'merge-ends-sessions' };
    default:
      return { code: 'session_ended', invariant: 'erasure-ends-sessions' };
  }
}
