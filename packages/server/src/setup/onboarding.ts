import type { Onboarding } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { DEMO_KEY_NAME } from '../demo/demo-token.ts';
import { anyAuthenticatedMessage, anyLoginWithKeys, listOwnKids } from './onboarding.repository.ts';

export type { Onboarding };

/**
 * The getting-started checklist, from what is stored, never from a click: a live signing
 * key of the admin's own (the demo shop's does not count), a successful login with one,
 * and a message a user wrote through a session that key authenticated.
 */
export async function onboardingState(ctx: AppContext): Promise<Onboarding> {
  const db = ctx.storage.db;
  const kids = await listOwnKids(db, DEMO_KEY_NAME);
  const [login, authenticatedMessage] = await Promise.all([
    anyLoginWithKeys(db, kids),
    anyAuthenticatedMessage(db, kids),
  ]);
  return { signingKey: kids.length > 0, login, authenticatedMessage, demo: ctx.config.demo };
}
