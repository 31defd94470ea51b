import type { PatchUserBody, User } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { withConflictRetry } from '../db/conflicts.ts';
import type { Executor } from '../db/executor.ts';
import { AppError } from '../errors.ts';
import { recordUserChanged } from '../webhooks/identity-events.ts';
import { assertEmailShape } from './email-shape.ts';
import { attachEmail, attachExternalId, normalizeEmail } from './identities.ts';
import { type Actor, journal, SYSTEM } from './journal.ts';
import { getLiveUser, getUserView } from './user-view.ts';
import {
  findIdentityHolder,
  findUser,
  listIdentities,
  updateIdentity,
  updateUser,
} from './users.repository.ts';

export type ProfileChange = {
  name?: string | null | undefined;
  email?: string | undefined;
  emailVerified?: boolean | undefined;
  externalId?: string | undefined;
};

/**
 * Applies a profile change made through the API. An email given this way counts as
 * verified unless `emailVerified: false` (API.md). Taking an external id or verified
 * email another user holds is a 409, never a silent merge.
 */
export async function applyProfileChange(
  db: Executor,
  userId: string,
  change: ProfileChange,
  now: number,
  actor: Actor = SYSTEM,
): Promise<void> {
  if (change.email !== undefined) assertEmailShape(change.email);
  if (change.externalId !== undefined) {
    const holder = await findIdentityHolder(db, 'external_id', change.externalId, { verifiedOnly: false });
    if (holder && holder.user_id !== userId)
      throw new AppError('external_id_taken', 'another user has this external id');
    if (!holder) {
      const current = (await listIdentities(db, [userId])).find((i) => i.type === 'external_id');
      if (current) {
        await journal(
          db,
          userId,
          'identity_detached',
          { type: 'external_id', value: current.value, actor },
          now,
        );
        await journal(
          db,
          userId,
          'identity_attached',
          { type: 'external_id', value: change.externalId, verified: true, source: 'api', actor },
          now,
        );
        await updateIdentity(db, current.id, {
          value: change.externalId,
          normalized: change.externalId,
          source: 'api',
        });
      } else {
        await attachExternalId(db, userId, change.externalId, 'api', now, actor);
      }
    }
  }
  if (change.email !== undefined) {
    const verified = change.emailVerified !== false;
    if (verified) {
      const holder = await findIdentityHolder(db, 'email', normalizeEmail(change.email), {
        verifiedOnly: true,
      });
      if (holder && holder.user_id !== userId)
        throw new AppError('email_taken', 'another user has this email, verified');
    }
    await attachEmail(db, userId, change.email, verified, 'api', now, actor);
  }
  if (change.name !== undefined) {
    const before = await findUser(db, userId);
    if (before && before.name !== change.name)
      await journal(db, userId, 'name_changed', { from: before.name, to: change.name, actor }, now);
  }
  await updateUser(db, userId, {
    ...(change.name !== undefined ? { name: change.name } : {}),
    updated_at: now,
  });
}

export async function updateUserProfile(
  ctx: AppContext,
  id: string,
  patch: PatchUserBody,
  actor: Actor = SYSTEM,
): Promise<User> {
  return withConflictRetry(() =>
    ctx.storage.db.transaction().execute(async (trx) => {
      const user = await getLiveUser(trx, id);
      const now = ctx.now();
      await applyProfileChange(trx, user.id, patch, now, actor);
      await recordUserChanged(trx, 'user.updated', user.id, now);
      return getUserView(trx, user.id);
    }),
  );
}
