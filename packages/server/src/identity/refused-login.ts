import type { AppContext } from '../context.ts';
import { newId } from '../ids.ts';
import { metrics } from '../metrics/metrics.ts';
import { insertAuthEvent } from './auth-events.repository.ts';

/**
 * IDENTITY.md §5: every login attempt is one auth-log row, also those refused before a
 * token was looked at: a body without a string `jwt` (`malformed`) and an attempt over
 * the rate limit (`rate_limited`).
 */
export async function recordRefusedLogin(
  ctx: AppContext,
  outcome: 'malformed' | 'rate_limited',
  client: { ip: string | undefined; userAgent: string | undefined },
): Promise<void> {
  metrics.loginAttempt(outcome);
  const now = ctx.now();
  await insertAuthEvent(ctx.storage.db, {
    id: newId(now),
    created_at: now,
    outcome,
    claim: null,
    kid: null,
    external_id: null,
    external_id_verified: 0,
    user_id: null,
    resolution: null,
    merged_anonymous: 0,
    email_outcome: null,
    had_exp: null,
    ip: client.ip?.slice(0, 100) ?? null,
    user_agent: client.userAgent?.replaceAll('\0', '').slice(0, 500) ?? null,
  });
}
