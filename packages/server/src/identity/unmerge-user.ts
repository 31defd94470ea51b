import type { UnmergeResult } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/executor.ts';
import { inRolledBackTransaction } from '../db/rolled-back.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isId } from '../ids.ts';
import { moveConversationsBack } from '../messaging/history.repository.ts';
import { moveOpenSessionsBack, moveSessionsProvedFor } from './client-sessions.repository.ts';
import { type Actor, journal, SYSTEM } from './journal.ts';
import type { MergeRecord } from './merge-users.ts';
import { deleteMerge, findLatestMergeOf } from './merges.repository.ts';
import { parseTags } from './tags.ts';
import { getLiveUser, getUserView } from './user-view.ts';
import {
  findIdentity,
  findIdentityHolder,
  findUser,
  insertIdentity,
  pointTombstonesAt,
  updateIdentity,
  updateUser,
} from './users.repository.ts';

/** A merge can be undone for this long. */
export const UNMERGE_WINDOW_MS = 30 * 86_400_000;

/**
 * Undoes a merge from its record (merge-users.ts): the merged user comes back with
 * exactly what it brought (its identities, its own conversations and their messages,
 * its name and tags, the sessions that moved with it); what arrived later stays with
 * the survivor. Sessions the merge ended stay ended. Refused with `unmerge_blocked`
 * when something since stands in the way. A dry run says what would move back.
 */
export async function unmergeUser(
  ctx: AppContext,
  survivorId: string,
  mergedUserId: string,
  options: { dryRun?: boolean | undefined; actor?: Actor } = {},
): Promise<UnmergeResult> {
  const run = (trx: Executor) => undo(trx, survivorId, mergedUserId, ctx.now(), options.actor ?? SYSTEM);
  if (options.dryRun) return { ...(await inRolledBackTransaction(ctx.storage, run)), dryRun: true };
  return ctx.storage.db.transaction().execute(run);
}

async function undo(
  db: Executor,
  survivorId: string,
  mergedUserId: string,
  now: number,
  actor: Actor,
): Promise<UnmergeResult> {
  const survivor = await getLiveUser(db, survivorId);
  const merged = isId(mergedUserId) ? await findUser(db, mergedUserId) : undefined;
  if (!merged || merged.merged_into !== survivor.id || merged.erased_at !== null)
    throw new AppError('not_found', 'no user merged into this one has that id');
  const merge = await findLatestMergeOf(db, merged.id);
  if (!merge) throw new AppError('unmerge_blocked', 'this merge left no record to undo it from');
  if (merge.into_user_id !== survivor.id)
    throw new AppError(
      'unmerge_blocked',
      `the user it was merged into (${merge.into_user_id}) has since been merged into this one; undo that merge first`,
    );
  if (now - merge.created_at > UNMERGE_WINDOW_MS)
    throw new AppError('unmerge_blocked', 'merges can be undone for 30 days; this one is older');
  const record = JSON.parse(merge.record) as MergeRecord;

  // Everything that must hold before anything moves.
  for (const identity of record.movedIdentities) {
    const current = await findIdentity(db, identity.id);
    if (!current || current.user_id !== survivor.id || current.normalized !== identity.normalized)
      throw new AppError(
        'unmerge_blocked',
        `${identity.type === 'external_id' ? 'external id' : 'email'} ${identity.value} no longer belongs to this user (it was removed or given to another)`,
      );
  }
  for (const dropped of record.droppedIdentities.filter((i) => i.verified === 1)) {
    const holder = await findIdentityHolder(db, dropped.type, dropped.normalized, { verifiedOnly: true });
    const upgraded = record.upgradedIdentities.find((u) => u.id === holder?.id);
    if (holder && !(upgraded && holder.user_id === survivor.id))
      throw new AppError('unmerge_blocked', `${dropped.value} is now held verified by another identity`);
  }

  // Identities: the survivor's upgrades revert, the merged user's own come back.
  for (const upgraded of record.upgradedIdentities) {
    const current = await findIdentity(db, upgraded.id);
    if (current && current.user_id === survivor.id)
      await updateIdentity(db, upgraded.id, { verified: upgraded.verified, source: upgraded.source });
  }
  for (const identity of record.movedIdentities) {
    await updateIdentity(db, identity.id, { user_id: merged.id, is_primary: identity.is_primary });
  }
  for (const dropped of record.droppedIdentities) await insertIdentity(db, dropped);

  const history = await moveConversationsBack(db, record.conversationIds, survivor.id, merged.id);
  await moveOpenSessionsBack(db, record.movedSessionIds, survivor.id, merged.id);
  // §7: a session that logged in with an external id going back (after the merge, so it
  // landed on the survivor) proved that id and nothing else: it follows the id.
  const externalIdsBack = record.movedIdentities
    .filter((i) => i.type === 'external_id')
    .map((i) => i.normalized);
  await moveSessionsProvedFor(db, externalIdsBack, survivor.id, merged.id);
  await pointTombstonesAt(db, record.repointedTombstoneIds, survivor.id, merged.id, now);

  await updateUser(db, merged.id, {
    merged_into: null,
    name: record.from.name,
    tags: JSON.stringify(record.from.tags),
    authenticated: record.from.authenticated ? 1 : 0,
    last_authenticated_at: record.from.lastAuthenticatedAt,
    updated_at: now,
  });
  await updateUser(db, survivor.id, { ...survivorProfileBack(survivor, record), updated_at: now });

  const movedBack = {
    identities: record.movedIdentities.map((i) => ({ type: i.type, value: i.value })),
    conversations: history.conversations,
    messages: history.messages,
  };
  await journal(
    db,
    survivor.id,
    'unmerged',
    { restoredUserId: merged.id, mergeId: merge.id, actor, ...movedBack },
    now,
  );
  await journal(
    db,
    merged.id,
    'unmerged',
    { survivorId: survivor.id, mergeId: merge.id, actor, ...movedBack },
    now,
  );
  await deleteMerge(db, merge.id);
  return {
    restored: await getUserView(db, merged.id),
    survivor: await getUserView(db, survivor.id),
    movedBack,
    dryRun: false,
  };
}

/** What the merge added to the survivor's profile goes, unless it has changed since. */
type ProfilePatch = Partial<Pick<UserRow, 'name' | 'tags' | 'authenticated' | 'last_authenticated_at'>>;

function survivorProfileBack(survivor: UserRow, record: MergeRecord): ProfilePatch {
  const patch: ProfilePatch = {};
  if (record.into.name === null && survivor.name === record.from.name) patch.name = null;
  const union = [...new Set([...record.into.tags, ...record.from.tags])];
  if (JSON.stringify(parseTags(survivor.tags)) === JSON.stringify(union))
    patch.tags = JSON.stringify(record.into.tags);
  const sameLogins =
    survivor.last_authenticated_at ===
    Math.max(record.into.lastAuthenticatedAt ?? 0, record.from.lastAuthenticatedAt ?? 0);
  if (sameLogins || survivor.last_authenticated_at === null) {
    patch.authenticated = record.into.authenticated ? 1 : 0;
    patch.last_authenticated_at = record.into.lastAuthenticatedAt;
  }
  return patch;
}
