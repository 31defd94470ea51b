import type { User } from '@signet/protocol';
import type { Executor } from '../db/executor.ts';
import type { IdentityRow, UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isId } from '../ids.ts';
import { identityView } from './identities.ts';
import { parseTags } from './tags.ts';
import { findUser, listIdentities } from './users.repository.ts';

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** The public shape of a user (API.md), with every identity (IDENTITY.md §4). */
export function userView(row: UserRow, identities: IdentityRow[]): User {
  const mine = identities.filter((i) => i.user_id === row.id);
  const emails = mine.filter((i) => i.type === 'email');
  const email = emails.find((i) => i.is_primary === 1) ?? emails.find((i) => i.verified === 1) ?? emails[0];
  return {
    id: row.id,
    name: row.name,
    email: email?.value ?? null,
    externalId: mine.find((i) => i.type === 'external_id')?.value ?? null,
    authenticated: row.authenticated === 1,
    lastAuthenticatedAt: isoOrNull(row.last_authenticated_at),
    identities: mine.map(identityView),
    tags: parseTags(row.tags),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export async function userViews(db: Executor, rows: UserRow[]): Promise<User[]> {
  const identities = await listIdentities(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => userView(row, identities));
}

/**
 * The live user an id names: a merged id answers with its survivor (tombstones are
 * kept one hop from it), an erased or unknown one is `not_found`.
 */
export async function getLiveUser(db: Executor, id: string): Promise<UserRow> {
  if (!isId(id)) throw new AppError('not_found', 'no such user');
  let row = await findUser(db, id);
  if (row?.merged_into) row = await findUser(db, row.merged_into);
  if (!row || row.erased_at !== null || row.merged_into) throw new AppError('not_found', 'no such user');
  return row;
}

export async function getUserView(db: Executor, id: string): Promise<User> {
  const row = await getLiveUser(db, id);
  return userView(row, await listIdentities(db, [row.id]));
}
