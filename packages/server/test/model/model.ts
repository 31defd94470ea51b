/**
 * The reference model of IDENTITY.md §3 (resolution), §7 (sessions) and §8 (erasure):
 * what the server should hold after each action, in a few plain maps. Pure: it never
 * talks to the server; the runner compares the server's answers against it.
 */

export type ModelUser = {
  id: string;
  externalId: string | null;
  /** Verified emails, normalized (trimmed, lowercased). */
  emails: Set<string>;
  mergedInto: string | null;
  erased: boolean;
};

export type SessionState = 'live' | 'ended' | 'expired';

export type ModelSession = {
  token: string;
  userId: string;
  /** Authenticated sessions: the kid and external id of the token that made them. */
  kid: string | null;
  tokenExternalId: string | null;
  /** Authenticated: when the session ends (ms). Anonymous: when it was last used (ms). */
  deadline: number | null;
  lastUsed: number;
  state: SessionState;
  /** Why it ended, for the report when it does not (logout, key_deleted, merged, replaced, erased). */
  endedBy: string | null;
  /** What would have ended it had it still been live: the first reason must stick. */
  laterEnds: string[];
  /**
   * Set by an undo merge when this session, bound to the survivor, proved the external id
   * that went back to the restored user: it must follow that id there, or end.
   */
  provedFor?: string;
  /** A client socket was opened for it (model/sockets.ts). */
  socketOpened?: boolean;
  /** Its end was already read once, and read right. */
  seenEnded?: boolean;
  /** The last message this session sent, for a retry with its clientMessageId. */
  lastMessage?: ModelMessage;
};

/** `userId`: the user whose conversation holds it (raw; `resolve` gives who holds it now). */
export type ModelMessage = { id: string; conversationId: string; userId: string; clientMessageId: string };

/** What a merge recorded, so it can be undone (POST /v1/users/:id/unmerge). */
export type MergeRecord = {
  into: string;
  at: number;
  externalId: string | null;
  emails: string[];
  conversationIds: Set<string>;
  keptSessions: ModelSession[];
};

export const UNMERGE_WINDOW_MS = 30 * 24 * 3600_000;

export const SESSION_LEEWAY_MS = 60_000;
export const AUTHENTICATED_SESSION_MS = 24 * 3600_000;
export const ANONYMOUS_SESSION_MS = 30 * 24 * 3600_000;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export class Model {
  users = new Map<string, ModelUser>();
  /** Every session ever handed out; a device holds the last one it got. */
  sessions: ModelSession[] = [];
  devices: (ModelSession | undefined)[] = [];
  messages: ModelMessage[] = [];
  keys: { kid: string; secret: string; live: boolean }[] = [];
  /** The latest merge of each merged user. */
  merges = new Map<string, MergeRecord>();
  /** Users whose history a send raced a merge of (which side it landed on is the server's call). */
  raced = new Set<string>();
  /** The clock, as of the step being run. */
  now = 0;

  addUser(id: string, externalId: string | null = null, emails: string[] = []): ModelUser {
    const user: ModelUser = { id, externalId, emails: new Set(emails), mergedInto: null, erased: false };
    this.users.set(id, user);
    return user;
  }

  /** The user an id names now: the survivor of every merge. */
  resolve(id: string): ModelUser {
    let user = this.users.get(id);
    if (!user) throw new Error(`model: unknown user ${id}`);
    while (user.mergedInto) user = this.users.get(user.mergedInto)!;
    return user;
  }

  liveUsers(): ModelUser[] {
    return [...this.users.values()].filter((u) => !u.mergedInto && !u.erased);
  }

  holderOfExternalId(externalId: string): ModelUser | undefined {
    return this.liveUsers().find((u) => u.externalId === externalId);
  }

  holderOfEmail(email: string): ModelUser | undefined {
    const normalized = normalizeEmail(email);
    return this.liveUsers().find((u) => u.emails.has(normalized));
  }

  /** §3.4: anonymous means holding no external id and no verified email, however it was made. */
  isAnonymous(user: ModelUser): boolean {
    return user.externalId === null && user.emails.size === 0;
  }

  liveSessionsOf(userId: string): ModelSession[] {
    return this.sessionsOf(userId).filter((s) => s.state === 'live');
  }

  /** Every session bound to the user, ended ones too (a later end must not change their code). */
  sessionsOf(userId: string): ModelSession[] {
    return this.sessions.filter((s) => this.resolve(s.userId).id === userId);
  }

  end(session: ModelSession, reason: string): void {
    if (session.state !== 'live') {
      session.laterEnds.push(reason);
      return;
    }
    session.state = 'ended';
    session.endedBy = reason;
  }

  /**
   * §7: L folds into S; every session of L ends, except one authenticated with a token
   * for an external id S now holds.
   */
  merge(from: ModelUser, into: ModelUser): void {
    const sessions = this.sessionsOf(from.id);
    const record: MergeRecord = {
      into: into.id,
      at: this.now,
      externalId: into.externalId === null ? from.externalId : null,
      emails: [...from.emails].filter((e) => !into.emails.has(e)),
      conversationIds: new Set(this.messagesOf(from.id).map((m) => m.conversationId)),
      keptSessions: [],
    };
    this.merges.set(from.id, record);
    if (from.externalId !== null) into.externalId ??= from.externalId;
    for (const email of from.emails) into.emails.add(email);
    from.emails.clear();
    from.externalId = null;
    from.mergedInto = into.id;
    for (const s of sessions) {
      const keeps = s.kid !== null && s.tokenExternalId !== null && s.tokenExternalId === into.externalId;
      if (!keeps) this.end(s, 'merged');
      else if (s.state === 'live') record.keptSessions.push(s);
    }
  }

  /**
   * Undoes `merged`'s latest merge: it comes back with the external id and verified
   * emails it brought, its conversations (whatever was added to them since) and the
   * sessions that moved with it; sessions the merge ended stay ended.
   */
  unmerge(merged: ModelUser, record: MergeRecord): void {
    const survivor = this.users.get(record.into)!;
    merged.mergedInto = null;
    if (record.externalId !== null && survivor.externalId === record.externalId) {
      survivor.externalId = null;
      merged.externalId = record.externalId;
    }
    for (const email of record.emails) {
      survivor.emails.delete(email);
      merged.emails.add(email);
    }
    for (const m of this.messages) if (record.conversationIds.has(m.conversationId)) m.userId = merged.id;
    for (const s of record.keptSessions) if (s.state === 'live') s.userId = merged.id;
    if (record.externalId !== null)
      for (const s of this.liveSessionsOf(survivor.id))
        if (s.tokenExternalId === record.externalId) s.provedFor = merged.id;
    this.merges.delete(merged.id);
  }

  erase(user: ModelUser): void {
    for (const s of this.sessionsOf(user.id)) this.end(s, 'erased');
    user.erased = true;
    user.externalId = null;
    user.emails.clear();
  }

  deleteKey(kid: string): void {
    const key = this.keys.find((k) => k.kid === kid);
    if (key) key.live = false;
    for (const s of this.sessions) if (s.kid === kid) this.end(s, 'key_deleted');
  }

  /** Messages whose user is `userId` now (after merges). */
  messagesOf(userId: string): ModelMessage[] {
    return this.messages.filter((m) => this.resolve(m.userId).id === userId);
  }

  /**
   * §7: ends the sessions whose lifetime passed by `now`. Returns the sessions too close
   * to their end to tell (the server's clock read differs by milliseconds, and an
   * anonymous session's use may be recorded to the minute): the runner accepts either.
   */
  expire(now: number): Set<ModelSession> {
    const unsure = new Set<ModelSession>();
    for (const s of this.sessions) {
      if (s.state !== 'live') continue;
      const [end, margin] =
        s.kid !== null ? [s.deadline!, 10_000] : [s.lastUsed + ANONYMOUS_SESSION_MS, 3600_000];
      if (Math.abs(now - end) < margin) unsure.add(s);
      else if (now > end) {
        s.state = 'expired';
        s.endedBy = 'expired';
      }
    }
    return unsure;
  }
}

export type LoginClaims = {
  externalId: string;
  email: string | null;
  emailVerified: boolean;
};

export type LoginPrediction = {
  target: ModelUser | 'new';
  resolution: 'created' | 'matched_external_id' | 'matched_email' | 'merged_email_user';
  emailOutcome: 'attached' | 'ignored_unverified' | 'conflict' | 'none';
  /** §3.2: a user holding the email (and no external id) that folds into the target. */
  emailUserMerged: ModelUser | null;
};

/** §3.1–3.3: which user a login lands on, before anything changes. */
export function predictLogin(model: Model, claims: LoginClaims): LoginPrediction {
  const byExternalId = model.holderOfExternalId(claims.externalId);
  const byEmail = claims.email && claims.emailVerified ? model.holderOfEmail(claims.email) : undefined;
  const outcome = (conflict: boolean): LoginPrediction['emailOutcome'] =>
    !claims.email
      ? 'none'
      : !claims.emailVerified
        ? 'ignored_unverified'
        : conflict
          ? 'conflict'
          : 'attached';
  if (byExternalId) {
    if (byEmail && byEmail.id !== byExternalId.id) {
      if (byEmail.externalId === null)
        return {
          target: byExternalId,
          resolution: 'merged_email_user',
          emailOutcome: outcome(false),
          emailUserMerged: byEmail,
        };
      return {
        target: byExternalId,
        resolution: 'matched_external_id',
        emailOutcome: outcome(true),
        emailUserMerged: null,
      };
    }
    return {
      target: byExternalId,
      resolution: 'matched_external_id',
      emailOutcome: outcome(false),
      emailUserMerged: null,
    };
  }
  if (byEmail && byEmail.externalId === null)
    return {
      target: byEmail,
      resolution: 'matched_email',
      emailOutcome: outcome(false),
      emailUserMerged: null,
    };
  return {
    target: 'new',
    resolution: 'created',
    emailOutcome: outcome(byEmail !== undefined),
    emailUserMerged: null,
  };
}

/**
 * §3.2–3.5 applied, once the server said which id a new user got. `previous` is the
 * device's live session sent along with the login, if any. Returns mergedAnonymous.
 */
export function applyLogin(
  model: Model,
  claims: LoginClaims,
  prediction: LoginPrediction,
  userId: string,
  previous: ModelSession | undefined,
): { target: ModelUser; mergedAnonymous: boolean } {
  // Only a session live when the login began counts (§3.4: any other token is ignored);
  // it is replaced by the new one whatever happens to its user.
  const previousUser = previous?.state === 'live' ? model.resolve(previous.userId) : undefined;
  if (previous && previousUser) model.end(previous, 'replaced');
  const target = prediction.target === 'new' ? model.addUser(userId) : prediction.target;
  if (prediction.emailUserMerged) model.merge(prediction.emailUserMerged, target);
  target.externalId ??= claims.externalId;
  if (claims.email && claims.emailVerified && prediction.emailOutcome === 'attached')
    target.emails.add(normalizeEmail(claims.email));
  let mergedAnonymous = false;
  if (previousUser) {
    const deviceUser = model.resolve(previousUser.id);
    if (deviceUser.id !== target.id && !deviceUser.erased && model.isAnonymous(deviceUser)) {
      model.merge(deviceUser, target);
      mergedAnonymous = true;
    }
  }
  return { target, mergedAnonymous };
}
