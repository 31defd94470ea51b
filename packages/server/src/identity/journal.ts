import type { Principal } from '../agents/principal.ts';
import type { Executor } from '../db/executor.ts';
import { newId } from '../ids.ts';
import { insertJournalEntry } from './journal.repository.ts';

/**
 * The identity journal: an append-only record of every identity decision about a
 * user, written in the same transaction as the decision, so a timeline can say how a
 * user came to be, entry by entry (GET /v1/users/:id/timeline).
 */
export type JournalKind =
  | 'created'
  | 'identity_attached'
  | 'identity_verified'
  | 'identity_detached'
  | 'name_changed'
  | 'tags_changed'
  | 'login'
  | 'email_conflict'
  | 'merged_in'
  | 'merged_out'
  | 'unmerged'
  | 'erased';

/** Who or what made a decision: a token login, the API, an agent in the app, the messenger's form. */
export type Actor =
  | { by: 'login'; kid: string; keyName: string | null }
  | { by: 'api' | 'agent'; id: string; name: string }
  | { by: 'form' | 'messenger' | 'system' };

export const SYSTEM: Actor = { by: 'system' };

/** The actor behind an admin/agent API call: an agent in the app, or an API token. */
export function actorOf(principal: Principal | undefined): Actor {
  if (!principal) return SYSTEM;
  return { by: principal.kind === 'agent' ? 'agent' : 'api', id: principal.id, name: principal.name };
}

export async function journal(
  db: Executor,
  userId: string,
  kind: JournalKind,
  data: Record<string, unknown>,
  now: number,
): Promise<void> {
  await insertJournalEntry(db, {
    id: newId(now),
    user_id: userId,
    kind,
    data: JSON.stringify(data),
    created_at: now,
  });
}
