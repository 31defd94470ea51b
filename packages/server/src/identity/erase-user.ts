import type { AppContext } from '../context.ts';
import { deleteEventsOfUser } from '../messaging/events.repository.ts';
import { eraseMessageText } from '../messaging/history.repository.ts';
import { forgetAuthEventsOfUser } from './auth-events.repository.ts';
import { revokeSessionsOfUser } from './client-sessions.repository.ts';
import { getLiveUser } from './user-view.ts';
import { deleteIdentitiesOf, updateUser } from './users.repository.ts';

/**
 * Erasure (API.md `DELETE /v1/users/:id`): profile, identities and the text of the
 * user's messages go; sessions end. The row stays as an erased tombstone so ids that
 * named it answer 404 rather than something else.
 */
export async function eraseUser(ctx: AppContext, id: string): Promise<void> {
  const sessionIds = await ctx.storage.db.transaction().execute(async (trx) => {
    const now = ctx.now();
    const user = await getLiveUser(trx, id);
    await deleteIdentitiesOf(trx, user.id);
    await eraseMessageText(trx, user.id);
    await deleteEventsOfUser(trx, user.id);
    await forgetAuthEventsOfUser(trx, user.id);
    await updateUser(trx, user.id, { name: null, erased_at: now, updated_at: now });
    return revokeSessionsOfUser(trx, user.id, now);
  });
  await ctx.bus.publish({ type: 'session.ended', sessionIds, reason: 'erased' });
}
