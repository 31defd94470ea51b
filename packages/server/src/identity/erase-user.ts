import type { AppContext } from '../context.ts';
import { deleteEventsOfUser } from '../messaging/events.repository.ts';
import { eraseMessagesOfUsers } from '../messaging/history.repository.ts';
import { forgetWebhookEventsOfUsers } from '../webhooks/delivery-log.repository.ts';
import { recordUserErased } from '../webhooks/identity-events.ts';
import { forgetAuthEvents } from './auth-events.repository.ts';
import { endSessionsOfUsers, forgetSessionExternalIds } from './client-sessions.repository.ts';
import { deleteJournalOf } from './journal.repository.ts';
import { type Actor, journal, SYSTEM } from './journal.ts';
import { deleteMergesOfUsers } from './merges.repository.ts';
import { getLiveUser } from './user-view.ts';
import { deleteIdentitiesOf, listIdentities, listTombstonesOf, updateUser } from './users.repository.ts';

/**
 * Erasure (IDENTITY.md §8): every personal field of the user and of every tombstone
 * merged into it goes: name, tags, identities, message text and the author names on
 * messages, the merge records that name them, and the IP, user agent and external id
 * of their auth-log rows (time and outcome stay, so counts stay true). Sessions end.
 * The rows stay as erased tombstones, so ids that named them answer 404.
 */
export async function eraseUser(ctx: AppContext, id: string, actor: Actor = SYSTEM): Promise<void> {
  const sessionIds = await ctx.storage.db.transaction().execute(async (trx) => {
    const now = ctx.now();
    const user = await getLiveUser(trx, id);
    const userIds = [user.id, ...(await listTombstonesOf(trx, user.id)).map((t) => t.id)];
    const externalIds = (await listIdentities(trx, userIds))
      .filter((i) => i.type === 'external_id')
      .map((i) => i.normalized);
    for (const userId of userIds) {
      await deleteIdentitiesOf(trx, userId);
      await deleteEventsOfUser(trx, userId);
      await updateUser(trx, userId, {
        name: null,
        tags: '[]',
        ...(userId === user.id ? { erased_at: now } : {}),
        updated_at: now,
      });
    }
    await eraseMessagesOfUsers(trx, userIds);
    await forgetAuthEvents(trx, userIds, externalIds);
    await deleteMergesOfUsers(trx, userIds);
    // The journal names identities and names: it goes, and says only that the user was erased.
    await deleteJournalOf(trx, userIds);
    await journal(trx, user.id, 'erased', { actor }, now);
    const ended = await endSessionsOfUsers(trx, userIds, 'erased', now);
    await forgetSessionExternalIds(trx, userIds);
    // Webhook events still to be sent carry the erased data; they go, and the erasure is told.
    await forgetWebhookEventsOfUsers(trx, userIds);
    await recordUserErased(trx, user.id, now);
    return ended;
  });
  await ctx.bus.publish({ type: 'session.ended', sessionIds, reason: 'erased' });
}
