import type { AuthEventRow } from '../db/schema.ts';
import { newId } from '../ids.ts';

export type LoginClient = { ip: string | undefined; userAgent: string | undefined };

/** One auth-log row (IDENTITY.md §5): what is not given is unknown; client fields are capped. */
export function authEventRow(now: number, client: LoginClient, fields: Partial<AuthEventRow>): AuthEventRow {
  return {
    id: newId(now),
    created_at: now,
    outcome: 'ok',
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
    ...fields,
  };
}
