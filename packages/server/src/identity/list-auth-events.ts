import type { AuthEvent, ListAuthEventsQuery } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { AuthEventRow } from '../db/schema.ts';
import { listAuthEvents as listRows } from './auth-events.repository.ts';
import { iso } from './user-view.ts';

export async function listAuthEvents(
  ctx: AppContext,
  query: ListAuthEventsQuery,
): Promise<{ data: AuthEvent[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50;
  const rows = await listRows(ctx.storage.db, { ...query, limit });
  return { data: rows.map(authEventView), nextCursor: rows.length === limit ? rows.at(-1)!.id : null };
}

function authEventView(row: AuthEventRow): AuthEvent {
  return {
    id: row.id,
    createdAt: iso(row.created_at),
    outcome: row.outcome,
    claim: row.claim,
    kid: row.kid,
    externalId: row.external_id,
    externalIdVerified: row.external_id_verified === 1,
    userId: row.user_id,
    resolution: row.resolution,
    mergedAnonymous: row.merged_anonymous === 1,
    emailOutcome: row.email_outcome,
    hadExp: row.had_exp === null ? null : row.had_exp === 1,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}
