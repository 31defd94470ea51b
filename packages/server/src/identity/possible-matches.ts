import type { User } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { getLiveUser, userViews } from './user-view.ts';
import { findIdentitiesByValue, findUsers, listIdentities } from './users.repository.ts';

/**
 * Users who hold, verified, an email this user only claimed (IDENTITY.md §6 scenario
 * 3). Shown to agents as a possible match; only a person merges them.
 */
export async function findPossibleMatches(ctx: AppContext, userId: string): Promise<User[]> {
  const db = ctx.storage.db;
  const user = await getLiveUser(db, userId);
  const claimed = (await listIdentities(db, [user.id])).filter((i) => i.type === 'email' && i.verified === 0);
  const holderIds = new Set<string>();
  for (const identity of claimed) {
    for (const holder of await findIdentitiesByValue(db, 'email', identity.normalized)) {
      if (holder.verified === 1 && holder.user_id !== user.id) holderIds.add(holder.user_id);
    }
  }
  return userViews(db, await findUsers(db, [...holderIds]));
}
