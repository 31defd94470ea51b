import type { EmailOutcome, Resolution, Settings } from '@signet/protocol';
import type { Executor } from '../db/executor.ts';
import type { UserRow } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { attachEmail, attachExternalId, isAnonymous, normalizeEmail } from './identities.ts';
import { type Actor, journal } from './journal.ts';
import { mergeUserInto } from './merge-users.ts';
import { parseTags } from './tags.ts';
import { findIdentityHolder, findUser, insertUser, listIdentities, updateUser } from './users.repository.ts';
import type { VerifiedClaims } from './verify-token.ts';

export type ResolveUserInput = {
  claims: VerifiedClaims;
  /** The user of the session that came with the login, if it was live. */
  sessionUserId: string | undefined;
  unverifiedEmail: Settings['unverifiedEmail'];
  now: number;
};

export type Resolved = {
  user: UserRow;
  resolution: Resolution;
  emailOutcome: EmailOutcome;
  mergedAnonymous: boolean;
  /** Sessions the merges of this login ended (IDENTITY.md §7), to be announced after commit. */
  endedSessionIds: string[];
};

/**
 * IDENTITY.md §3, step by step, inside the caller's transaction. Races are settled by
 * the unique indexes on identities: the loser's transaction fails, is retried, and
 * then finds the winner's user.
 */
export async function resolveUser(db: Executor, input: ResolveUserInput): Promise<Resolved> {
  const { claims, now } = input;
  const actor: Actor = { by: 'login', kid: claims.kid, keyName: null };
  const byExternalId = await findIdentityHolder(db, 'external_id', claims.externalId, {
    verifiedOnly: false,
  });
  const byEmail =
    claims.email && claims.emailVerified
      ? await findIdentityHolder(db, 'email', normalizeEmail(claims.email), { verifiedOnly: true })
      : undefined;
  const emailUser = byEmail ? await findUser(db, byEmail.user_id) : undefined;
  const emailUserExternalId = emailUser ? await externalIdOf(db, emailUser.id) : undefined;

  // §3.2: choose the target.
  let target: UserRow;
  let resolution: Resolution;
  let emailConflict = false;
  const endedSessionIds: string[] = [];
  if (byExternalId) {
    target = (await findUser(db, byExternalId.user_id))!;
    resolution = 'matched_external_id';
    if (emailUser && emailUser.id !== target.id) {
      if (emailUserExternalId === undefined) {
        const merged = await mergeUserInto(db, emailUser, target, 'email_user', now, actor);
        endedSessionIds.push(...merged.endedSessionIds);
        target = (await findUser(db, target.id))!;
        resolution = 'merged_email_user';
      } else {
        emailConflict = true; // two directory users never fuse
      }
    }
  } else if (emailUser && emailUserExternalId === undefined) {
    target = emailUser;
    await attachExternalId(db, target.id, claims.externalId, 'jwt', now, actor);
    resolution = 'matched_email';
  } else {
    emailConflict = emailUser !== undefined;
    target = await insertUser(db, { id: newId(now), name: null, anonymous: 0, created_at: now });
    await journal(db, target.id, 'created', { actor }, now);
    await attachExternalId(db, target.id, claims.externalId, 'jwt', now, actor);
    resolution = 'created';
  }
  if (emailConflict && emailUser) {
    // Both users' timelines say why the email did not join.
    const email = claims.email!.trim();
    await journal(db, target.id, 'email_conflict', { email, otherUserId: emailUser.id, actor }, now);
    await journal(db, emailUser.id, 'email_conflict', { email, otherUserId: target.id, actor }, now);
  }

  // §3.3: the profile comes from the token.
  const emailOutcome = await applyEmail(db, target.id, input, emailConflict);

  // §3.4: an anonymous visitor's history joins the user they turned out to be.
  let mergedAnonymous = false;
  const sessionUser = input.sessionUserId ? await findUser(db, input.sessionUserId) : undefined;
  if (
    sessionUser &&
    !sessionUser.merged_into &&
    sessionUser.erased_at === null &&
    sessionUser.id !== target.id &&
    isAnonymous(await listIdentities(db, [sessionUser.id]))
  ) {
    const merged = await mergeUserInto(
      db,
      sessionUser,
      (await findUser(db, target.id))!,
      'anonymous',
      now,
      actor,
    );
    endedSessionIds.push(...merged.endedSessionIds);
    mergedAnonymous = true;
  }

  // §3.5, and §2: the token's tags replace the user's.
  const before = (await findUser(db, target.id))!;
  if (claims.name !== undefined && claims.name !== before.name)
    await journal(db, target.id, 'name_changed', { from: before.name, to: claims.name, actor }, now);
  if (claims.tags !== undefined && JSON.stringify(claims.tags) !== before.tags)
    await journal(
      db,
      target.id,
      'tags_changed',
      { from: parseTags(before.tags), to: claims.tags, actor },
      now,
    );
  await updateUser(db, target.id, {
    ...(claims.name !== undefined ? { name: claims.name } : {}),
    ...(claims.tags !== undefined ? { tags: JSON.stringify(claims.tags) } : {}),
    authenticated: 1,
    last_authenticated_at: now,
    updated_at: now,
  });
  const user = (await findUser(db, target.id))!;
  await journal(
    db,
    target.id,
    'login',
    {
      actor,
      externalId: claims.externalId,
      resolution,
      emailOutcome,
      email: claims.email ?? null,
      mergedAnonymous,
    },
    now,
  );
  return { user, resolution, emailOutcome, mergedAnonymous, endedSessionIds };
}

async function applyEmail(
  db: Executor,
  userId: string,
  { claims, unverifiedEmail, now }: ResolveUserInput,
  conflict: boolean,
): Promise<EmailOutcome> {
  if (!claims.email) return 'none';
  if (claims.emailVerified) {
    if (conflict) return 'conflict';
    await attachEmail(db, userId, claims.email, true, 'jwt', now, {
      by: 'login',
      kid: claims.kid,
      keyName: null,
    });
    return 'attached';
  }
  // §3.3: an unverified email never matches, merges or moves anything.
  if (unverifiedEmail === 'ignore') return 'ignored_unverified';
  await attachEmail(db, userId, claims.email, false, 'jwt', now, {
    by: 'login',
    kid: claims.kid,
    keyName: null,
  });
  return 'attached_unverified';
}

async function externalIdOf(db: Executor, userId: string): Promise<string | undefined> {
  const identities = await listIdentities(db, [userId]);
  return identities.find((i) => i.type === 'external_id')?.value;
}
