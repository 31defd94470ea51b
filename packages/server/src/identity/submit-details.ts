import type { User } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { withConflictRetry } from '../db/conflicts.ts';
import { type LiveClientSession, sessionUserForWrite } from './client-sessions.ts';
import { attachEmail } from './identities.ts';
import { journal } from './journal.ts';
import { getUserView } from './user-view.ts';
import { updateUser } from './users.repository.ts';

/**
 * Details an end user types in the messenger (the bot's form). IDENTITY.md §3: such an
 * email is an *unverified* identity with source `form`; it never matches, merges or
 * moves anything, whoever else holds it. A typed name never replaces the name a
 * business vouched for in a token.
 */
export async function submitDetails(
  ctx: AppContext,
  live: LiveClientSession,
  details: { name?: string | undefined; email?: string | undefined },
): Promise<User> {
  return withConflictRetry(() =>
    ctx.storage.db.transaction().execute(async (trx) => {
      const now = ctx.now();
      // IDENTITY.md §7: the session's user at commit time, never a tombstone.
      const { user } = await sessionUserForWrite(trx, live, now);
      const userId = user.id;
      if (details.email !== undefined)
        await attachEmail(trx, userId, details.email, false, 'form', now, { by: 'form' });
      const keepsName = user.authenticated === 1 && user.name !== null;
      if (details.name !== undefined && !keepsName && details.name !== user.name)
        await journal(
          trx,
          userId,
          'name_changed',
          { from: user.name, to: details.name, actor: { by: 'form' } },
          now,
        );
      await updateUser(trx, userId, {
        ...(details.name !== undefined && !keepsName ? { name: details.name } : {}),
        updated_at: now,
      });
      return getUserView(trx, userId);
    }),
  );
}
