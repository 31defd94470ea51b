import type { Executor } from '../db/executor.ts';
import type { IdentityRow, MergeCause, UserRow } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { moveHistory } from '../messaging/history.repository.ts';
import { recordUserMerged } from '../webhooks/identity-events.ts';
import { endClientSessionRow, listOpenSessionsOfUser, moveSessionsTo } from './client-sessions.repository.ts';
import { type Actor, journal, SYSTEM } from './journal.ts';
import { insertMerge } from './merges.repository.ts';
import { parseTags } from './tags.ts';
import {
  deleteIdentity,
  listIdentities,
  repointTombstones,
  updateIdentity,
  updateUser,
} from './users.repository.ts';

/**
 * What a merge moved, kept with it (table `merges`) so it can be explained and undone:
 * the merged user's profile and identities as they were, and what happened to each.
 */
export type MergeRecord = {
  from: { name: string | null; tags: string[]; authenticated: boolean; lastAuthenticatedAt: number | null };
  into: { name: string | null; tags: string[]; authenticated: boolean; lastAuthenticatedAt: number | null };
  /** Identities of the merged user that now belong to the survivor, as they were. */
  movedIdentities: IdentityRow[];
  /** Identities the survivor already had; the merged user's copies were dropped (rows as they were). */
  droppedIdentities: IdentityRow[];
  /** Survivor identities upgraded by the merge (to verified), as they were before. */
  upgradedIdentities: IdentityRow[];
  conversationIds: string[];
  messages: number;
  /** Sessions of the merged user that ended (IDENTITY.md §7) and the ones that moved over. */
  endedSessionIds: string[];
  movedSessionIds: string[];
  /** Users once merged into the merged user, re-pointed to the survivor. */
  repointedTombstoneIds: string[];
};

export type MergeResult = { endedSessionIds: string[]; record: MergeRecord };

/**
 * Folds `from` into `into`, inside the caller's transaction; the one merge every path
 * uses (by hand, API, IDENTITY.md §3.2 and §3.4). Conversations, messages and the
 * identities `into` lacks move over; `from` becomes a tombstone that keeps resolving to
 * `into`. §7: every session of `from` ends, except one authenticated with a token for
 * an external id `into` now holds, which moves. The caller decides whether the merge is
 * allowed and publishes the ended sessions after commit.
 */
export async function mergeUserInto(
  db: Executor,
  from: UserRow,
  into: UserRow,
  cause: MergeCause,
  now: number,
  actor: Actor = SYSTEM,
): Promise<MergeResult> {
  const identities = await listIdentities(db, [from.id, into.id]);
  const kept = identities.filter((i) => i.user_id === into.id);
  const intoHasPrimaryEmail = kept.some((i) => i.type === 'email' && i.is_primary === 1);
  const movedIdentities: IdentityRow[] = [];
  const droppedIdentities: IdentityRow[] = [];
  const upgradedIdentities: IdentityRow[] = [];
  for (const identity of identities.filter((i) => i.user_id === from.id)) {
    const duplicate = kept.find((k) => k.type === identity.type && k.normalized === identity.normalized);
    if (duplicate) {
      await deleteIdentity(db, identity.id);
      droppedIdentities.push(identity);
      if (identity.verified === 1 && duplicate.verified === 0) {
        await updateIdentity(db, duplicate.id, { verified: 1, source: identity.source });
        upgradedIdentities.push(duplicate);
      }
      continue;
    }
    const primary =
      identity.type === 'email' ? identity.is_primary === 1 && !intoHasPrimaryEmail : identity.is_primary;
    await updateIdentity(db, identity.id, { user_id: into.id, is_primary: primary ? 1 : 0 });
    movedIdentities.push(identity);
  }

  // §7: a merge never hands a session more than it proved.
  const survivorExternalIds = new Set(
    (await listIdentities(db, [into.id])).filter((i) => i.type === 'external_id').map((i) => i.normalized),
  );
  const endedSessionIds: string[] = [];
  const movedSessionIds: string[] = [];
  for (const session of await listOpenSessionsOfUser(db, from.id)) {
    const proved =
      session.authenticated === 1 &&
      session.external_id !== null &&
      survivorExternalIds.has(session.external_id);
    if (proved) movedSessionIds.push(session.id);
    else if (await endClientSessionRow(db, session.id, 'merged', now)) endedSessionIds.push(session.id);
  }
  await moveSessionsTo(db, movedSessionIds, into.id);

  const history = await moveHistory(db, from.id, into.id);
  const repointedTombstoneIds = await repointTombstones(db, from.id, into.id, now);
  await updateUser(db, from.id, { merged_into: into.id, updated_at: now });

  const fromTags = parseTags(from.tags);
  const intoTags = parseTags(into.tags);
  const lastAuthenticatedAt =
    Math.max(from.last_authenticated_at ?? 0, into.last_authenticated_at ?? 0) || null;
  await updateUser(db, into.id, {
    name: into.name ?? from.name,
    tags: JSON.stringify([...new Set([...intoTags, ...fromTags])]),
    authenticated: from.authenticated === 1 || into.authenticated === 1 ? 1 : 0,
    last_authenticated_at: lastAuthenticatedAt,
    updated_at: now,
  });

  const record: MergeRecord = {
    from: profileOf(from),
    into: profileOf(into),
    movedIdentities,
    droppedIdentities,
    upgradedIdentities,
    conversationIds: history.conversationIds,
    messages: history.messages,
    endedSessionIds,
    movedSessionIds,
    repointedTombstoneIds,
  };
  const mergeId = newId(now);
  await insertMerge(db, {
    id: mergeId,
    from_user_id: from.id,
    into_user_id: into.id,
    cause,
    record: JSON.stringify(record),
    created_at: now,
  });
  const moved = movedIdentities.map((i) => ({ type: i.type, value: i.value }));
  const summary = {
    mergeId,
    cause,
    actor,
    identities: moved,
    conversations: history.conversationIds.length,
    messages: history.messages,
    sessionsEnded: endedSessionIds.length,
  };
  await journal(db, into.id, 'merged_in', { ...summary, fromUserId: from.id }, now);
  await journal(db, from.id, 'merged_out', { ...summary, intoUserId: into.id }, now);
  await recordUserMerged(db, from.id, into.id, now);
  return { endedSessionIds, record };
}

function profileOf(user: UserRow): MergeRecord['from'] {
  return {
    name: user.name,
    tags: parseTags(user.tags),
    authenticated: user.authenticated === 1,
    lastAuthenticatedAt: user.last_authenticated_at,
  };
}
