/**
 * Every invariant the model checks, by name. A failure names one, so a report (and
 * KNOWN_GAPS below) can say exactly which rule the server broke.
 */
export type Invariant =
  | 'login-resolution' // §3: the login lands on the user, resolution and outcomes the model predicts
  | 'login-rejection' // §2: an expired token or a deleted kid is refused with its reason
  | 'anonymous-is-derived' // §3.4: a visitor holding an external id or verified email is not folded in
  | 'api-create' // API.md: POST /v1/users gives 201, or 409 for a held external id / verified email
  | 'merge-by-hand' // API.md: POST /v1/users/:id/merge answers the survivor, or 409 merge_conflict
  | 'one-user-per-external-id' // §3: GET /v1/users?externalId=X returns exactly the model's holder
  | 'one-verified-holder-per-email' // §3: at most one user holds an email verified
  | 'live-session-reads-its-user' // §7: a live session reads exactly its user's conversations
  | 'logout-ends-session' // §7: 401 session_ended after logout
  | 'login-replaces-session' // contract: a login on the device ends the session it sent (session_ended)
  | 'key-deletion-ends-sessions' // §1/§7: sessions authenticated with a deleted key end (session_ended)
  | 'merge-ends-sessions' // §7: a merged user's sessions end, unless their token's external id moved too
  | 'erasure-ends-sessions' // §8: an erased user's sessions end (session_ended)
  | 'session-end-code' // contract: an ended session's 401 says session_ended / session_expired
  | 'end-reason-sticks' // an ended session keeps the code of what ended it first (an expired one stays session_expired)
  | 'session-expiry' // §7: 401 session_expired once an authenticated or idle anonymous session's time is up
  | 'message-on-live-user' // §7: an acknowledged message is on a live user, readable by its sessions
  | 'send-outcome' // API.md: a live session's send (or typed details) succeeds, an ended one's is 401
  | 'socket-session-ended' // §7: an ended session's socket is told session.ended {reason} and closed; a live one's never
  | 'unmerge-sessions' // §7 after an undo merge: a session proved for the external id that went back no longer reads the survivor
  | 'unmerge' // undo merge: the merged user comes back with what it brought, or 409 unmerge_blocked
  | 'tombstone-resolves' // §3.4: a merged user's id keeps answering with the survivor
  | 'burst-one-user'; // §3: concurrent logins for one new external id make one user

/**
 * Invariants the server on this branch is known to break, each with the reason. The
 * model still runs them; a failure of one of these ends that sequence quietly (or, for
 * a session or a message, stops following it) instead of failing the suite. Each entry
 * has a minimal failing case in identity-model-findings.test.ts, which flips to failing
 * once the server is fixed, so an entry cannot outlive its gap.
 */
export const KNOWN_GAPS: ReadonlyMap<Invariant, string> = new Map<Invariant, string>([]);

/**
 * Exploring: MODEL_TOLERATE=session-expiry,merge-ends-sessions treats those as known
 * gaps for one run, to see what else breaks behind them.
 */
const TOLERATED = new Set((process.env.MODEL_TOLERATE ?? '').split(',').filter(Boolean));

export const isKnownGap = (invariant: Invariant): boolean =>
  KNOWN_GAPS.has(invariant) || TOLERATED.has(invariant);
