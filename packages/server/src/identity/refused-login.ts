import type { AppContext } from '../context.ts';
import { metrics } from '../metrics/metrics.ts';
import { authEventRow, type LoginClient } from './auth-event-row.ts';
import { insertAuthEvent } from './auth-events.repository.ts';

/**
 * IDENTITY.md §5: every login attempt is one auth-log row, also those refused before a
 * token was looked at: a body without a string `jwt` (`malformed`) and an attempt over
 * the rate limit (`rate_limited`).
 */
export async function recordRefusedLogin(
  ctx: AppContext,
  outcome: 'malformed' | 'rate_limited',
  client: LoginClient,
): Promise<void> {
  metrics.loginAttempt(outcome);
  await insertAuthEvent(ctx.storage.db, authEventRow(ctx.now(), client, { outcome }));
}
