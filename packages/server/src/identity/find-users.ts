import type { ListUsersQuery, User } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { normalizeEmail } from './identities.ts';
import { userViews } from './user-view.ts';
import { findIdentitiesByValue, findIdentityHolder, findUsers, listUsers } from './users.repository.ts';

/**
 * `GET /v1/users`: by external id (at most one user), by email (verified holder
 * first, then users who only claimed it), or every known user, newest first.
 */
export async function findUsersBy(
  ctx: AppContext,
  query: ListUsersQuery,
): Promise<{ data: User[]; nextCursor: string | null }> {
  const db = ctx.storage.db;
  if (query.externalId !== undefined && query.email !== undefined) {
    throw new AppError('validation_failed', 'look users up by externalId or by email, not both');
  }
  if (query.externalId !== undefined) {
    const holder = await findIdentityHolder(db, 'external_id', query.externalId, { verifiedOnly: false });
    return {
      data: holder ? await userViews(db, await findUsers(db, [holder.user_id])) : [],
      nextCursor: null,
    };
  }
  if (query.email !== undefined) {
    const identities = await findIdentitiesByValue(db, 'email', normalizeEmail(query.email));
    const ids = [...new Set(identities.map((i) => i.user_id))];
    const rows = await findUsers(db, ids);
    rows.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
    return { data: await userViews(db, rows), nextCursor: null };
  }
  const limit = query.limit ?? 50;
  const rows = await listUsers(db, query.before, limit);
  return { data: await userViews(db, rows), nextCursor: rows.length === limit ? rows.at(-1)!.id : null };
}
