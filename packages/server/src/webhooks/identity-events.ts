import type { EmailOutcome, Resolution, User } from '@signet/protocol';
import type { Executor } from '../db/executor.ts';
import { getUserView } from '../identity/user-view.ts';
import { recordWebhookEvents } from './outbox.ts';

/**
 * Identity changes have no event-log entry (sockets do not need them), so their verbs
 * write webhook events explicitly, inside their own transactions. Views are built only
 * when an endpoint exists to receive them.
 */
export async function recordUserChanged(
  db: Executor,
  type: 'user.created' | 'user.updated',
  userId: string,
  now: number,
): Promise<void> {
  await recordWebhookEvents(
    db,
    async () => [{ type, userId, data: { user: await getUserView(db, userId) } }],
    now,
  );
}

export async function recordUserMerged(
  db: Executor,
  fromUserId: string,
  intoUserId: string,
  now: number,
): Promise<void> {
  await recordWebhookEvents(
    db,
    async () => [
      {
        type: 'user.merged',
        userId: intoUserId,
        data: { user: await getUserView(db, intoUserId), mergedUserId: fromUserId },
      },
    ],
    now,
  );
}

export async function recordUserErased(db: Executor, userId: string, now: number): Promise<void> {
  await recordWebhookEvents(db, [{ type: 'user.erased', userId: null, data: { userId } }], now);
}

/** A login: `user.created` when it made the user, and always `user.authenticated`. */
export async function recordLogin(
  db: Executor,
  login: { user: User; resolution: Resolution; emailOutcome: EmailOutcome; mergedAnonymous: boolean },
  now: number,
): Promise<void> {
  const { user, resolution, emailOutcome, mergedAnonymous } = login;
  await recordWebhookEvents(
    db,
    [
      ...(resolution === 'created'
        ? [{ type: 'user.created' as const, userId: user.id, data: { user } }]
        : []),
      {
        type: 'user.authenticated',
        userId: user.id,
        data: { user, resolution, emailOutcome, mergedAnonymous },
      },
    ],
    now,
  );
}
