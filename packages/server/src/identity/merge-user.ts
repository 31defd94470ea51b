import type { User } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { type Actor, SYSTEM } from './journal.ts';
import { mergeUserInto } from './merge-users.ts';
import { getLiveUser, getUserView } from './user-view.ts';
import { listIdentities } from './users.repository.ts';

/**
 * An agent's merge by hand (IDENTITY.md §6, scenario 3). Two users that each hold an
 * external id are two directory users and never fuse, by hand or otherwise.
 */
export async function mergeUserByHand(
  ctx: AppContext,
  fromId: string,
  intoId: string,
  actor: Actor = SYSTEM,
): Promise<User> {
  const { user, fromUserId, endedSessionIds } = await ctx.storage.db.transaction().execute(async (trx) => {
    const from = await getLiveUser(trx, fromId);
    const into = await getLiveUser(trx, intoId);
    if (from.id === into.id) throw new AppError('merge_conflict', 'a user cannot be merged into itself');
    const identities = await listIdentities(trx, [from.id, into.id]);
    const externalIds = identities.filter((i) => i.type === 'external_id');
    if (externalIds.some((i) => i.user_id === from.id) && externalIds.some((i) => i.user_id === into.id)) {
      throw new AppError('merge_conflict', 'both users have an external id; two directory users never merge');
    }
    const { endedSessionIds } = await mergeUserInto(trx, from, into, 'hand', ctx.now(), actor);
    return { user: await getUserView(trx, into.id), fromUserId: from.id, endedSessionIds };
  });
  // IDENTITY.md §7: the merged user's devices keep nothing they did not prove.
  if (endedSessionIds.length > 0)
    await ctx.bus.publish({ type: 'session.ended', sessionIds: endedSessionIds, reason: 'merged' });
  await ctx.bus.publish({ type: 'user.merged', fromUserId, intoUserId: user.id });
  return user;
}
