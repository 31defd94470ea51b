import type { Executor } from '../db/executor.ts';
import type { UserRow } from '../db/schema.ts';
import { moveHistory } from '../messaging/history.repository.ts';
import { moveSessions } from './client-sessions.repository.ts';
import {
  deleteIdentity,
  listIdentities,
  repointTombstones,
  updateIdentity,
  updateUser,
} from './users.repository.ts';

/**
 * Folds `from` into `into`, inside the caller's transaction: conversations, messages,
 * sessions and the identities `into` lacks move over; `from` becomes a tombstone that
 * keeps resolving to `into`. The caller decides whether the merge is allowed.
 */
export async function mergeUserInto(db: Executor, from: UserRow, into: UserRow, now: number): Promise<void> {
  const identities = await listIdentities(db, [from.id, into.id]);
  const kept = identities.filter((i) => i.user_id === into.id);
  const intoHasPrimaryEmail = kept.some((i) => i.type === 'email' && i.is_primary === 1);
  for (const identity of identities.filter((i) => i.user_id === from.id)) {
    const duplicate = kept.find((k) => k.type === identity.type && k.normalized === identity.normalized);
    if (duplicate) {
      if (identity.verified === 1 && duplicate.verified === 0) {
        await deleteIdentity(db, identity.id);
        await updateIdentity(db, duplicate.id, { verified: 1, source: identity.source });
      } else {
        await deleteIdentity(db, identity.id);
      }
      continue;
    }
    const primary =
      identity.type === 'email' ? identity.is_primary === 1 && !intoHasPrimaryEmail : identity.is_primary;
    await updateIdentity(db, identity.id, { user_id: into.id, is_primary: primary ? 1 : 0 });
  }

  await moveHistory(db, from.id, into.id);
  await moveSessions(db, from.id, into.id);
  await repointTombstones(db, from.id, into.id, now);
  await updateUser(db, from.id, { merged_into: into.id, updated_at: now });

  const lastAuthenticatedAt =
    Math.max(from.last_authenticated_at ?? 0, into.last_authenticated_at ?? 0) || null;
  await updateUser(db, into.id, {
    name: into.name ?? from.name,
    authenticated: from.authenticated === 1 || into.authenticated === 1 ? 1 : 0,
    last_authenticated_at: lastAuthenticatedAt,
    updated_at: now,
  });
}
