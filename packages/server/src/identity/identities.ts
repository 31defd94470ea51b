import type { Identity } from '@signet/protocol';
import type { Executor } from '../db/executor.ts';
import type { IdentityRow } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { type Actor, journal } from './journal.ts';
import { findIdentitiesByValue, insertIdentity, listIdentities, updateIdentity } from './users.repository.ts';

/** IDENTITY.md §3: emails compare case-insensitively after trimming; external ids exactly. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export type IdentitySource = IdentityRow['source'];

export function identityView(row: IdentityRow): Identity {
  return {
    type: row.type,
    value: row.value,
    verified: row.verified === 1,
    primary: row.is_primary === 1,
    source: row.source,
  };
}

export async function attachExternalId(
  db: Executor,
  userId: string,
  externalId: string,
  source: IdentitySource,
  now: number,
  actor?: Actor,
): Promise<void> {
  await journal(
    db,
    userId,
    'identity_attached',
    { type: 'external_id', value: externalId, verified: true, source, actor },
    now,
  );
  await insertIdentity(db, {
    id: newId(now),
    user_id: userId,
    type: 'external_id',
    value: externalId,
    normalized: externalId,
    verified: 1,
    is_primary: 1,
    source,
    created_at: now,
  });
}

/**
 * Gives a user an email identity, or upgrades the one it has. A verified email becomes
 * primary when the user's current primary is missing or unverified. The caller has
 * already made sure no *other* user holds the address verified; the unique index
 * backs that up under races.
 */
export async function attachEmail(
  db: Executor,
  userId: string,
  email: string,
  verified: boolean,
  source: IdentitySource,
  now: number,
  actor?: Actor,
): Promise<void> {
  const normalized = normalizeEmail(email);
  const mine = (await listIdentities(db, [userId])).filter((i) => i.type === 'email');
  const existing = mine.find((i) => i.normalized === normalized);
  const primary = mine.find((i) => i.is_primary === 1);
  const becomesPrimary = verified ? !primary || (primary.verified === 0 && primary !== existing) : !primary;

  if (existing) {
    if (verified && existing.verified === 0) {
      await journal(
        db,
        userId,
        'identity_verified',
        { type: 'email', value: email.trim(), source, actor },
        now,
      );
      await updateIdentity(db, existing.id, { verified: 1, source, value: email.trim() });
      if (becomesPrimary || !primary) await makePrimary(db, mine, existing.id);
    }
    return;
  }
  await journal(
    db,
    userId,
    'identity_attached',
    { type: 'email', value: email.trim(), verified, source, actor },
    now,
  );
  const id = newId(now);
  await insertIdentity(db, {
    id,
    user_id: userId,
    type: 'email',
    value: email.trim(),
    normalized,
    verified: verified ? 1 : 0,
    is_primary: 0,
    source,
    created_at: now,
  });
  if (becomesPrimary) await makePrimary(db, mine, id);
}

async function makePrimary(db: Executor, emails: IdentityRow[], id: string): Promise<void> {
  for (const other of emails) {
    if (other.is_primary === 1 && other.id !== id) await updateIdentity(db, other.id, { is_primary: 0 });
  }
  await updateIdentity(db, id, { is_primary: 1 });
}

/** The identity through which some user holds this email verified, if any. */
export async function verifiedEmailHolder(db: Executor, email: string): Promise<IdentityRow | undefined> {
  const holders = await findIdentitiesByValue(db, 'email', normalizeEmail(email));
  return holders.find((i) => i.verified === 1);
}

/**
 * IDENTITY.md §3.4: a user is anonymous when it holds no external id and no verified
 * email, whatever it was created as.
 */
export function isAnonymous(identities: readonly IdentityRow[]): boolean {
  return !identities.some((i) => i.type === 'external_id' || (i.type === 'email' && i.verified === 1));
}
