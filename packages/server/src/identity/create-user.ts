import type { CreateUserBody, User } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { withConflictRetry } from '../db/conflicts.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { recordUserChanged } from '../webhooks/identity-events.ts';
import { normalizeEmail } from './identities.ts';
import { type Actor, journal, SYSTEM } from './journal.ts';
import { applyProfileChange } from './update-user.ts';
import { getUserView } from './user-view.ts';
import { findIdentityHolder, insertUser } from './users.repository.ts';

/**
 * A user made through the API is a directory entry, not an authenticated user: it
 * shows no badge until its first JWT login (IDENTITY.md §4).
 */
export async function createUser(
  ctx: AppContext,
  body: CreateUserBody,
  actor: Actor = SYSTEM,
): Promise<User> {
  return withConflictRetry(() =>
    ctx.storage.db.transaction().execute(async (trx) => {
      const now = ctx.now();
      const user = await insertUser(trx, { id: newId(now), name: null, anonymous: 0, created_at: now });
      await journal(trx, user.id, 'created', { actor }, now);
      await applyProfileChange(trx, user.id, body, now, actor);
      await recordUserChanged(trx, 'user.created', user.id, now);
      return getUserView(trx, user.id);
    }),
  );
}

/** Upsert by external id, else by verified email. `created` tells 201 from 200. */
export async function createOrUpdateUser(
  ctx: AppContext,
  body: CreateUserBody,
  actor: Actor = SYSTEM,
): Promise<{ user: User; created: boolean }> {
  if (body.externalId === undefined && body.email === undefined) {
    throw new AppError('validation_failed', 'externalId or email is required', { field: 'externalId' });
  }
  return withConflictRetry(() =>
    ctx.storage.db.transaction().execute(async (trx) => {
      const now = ctx.now();
      const holder =
        body.externalId !== undefined
          ? await findIdentityHolder(trx, 'external_id', body.externalId, { verifiedOnly: false })
          : await findIdentityHolder(trx, 'email', normalizeEmail(body.email!), { verifiedOnly: true });
      let userId = holder?.user_id;
      if (!userId) {
        userId = (await insertUser(trx, { id: newId(now), name: null, anonymous: 0, created_at: now })).id;
        await journal(trx, userId, 'created', { actor }, now);
      }
      await applyProfileChange(trx, userId, body, now, actor);
      await recordUserChanged(trx, holder ? 'user.updated' : 'user.created', userId, now);
      return { user: await getUserView(trx, userId), created: holder === undefined };
    }),
  );
}
