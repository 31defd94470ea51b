import type { TimelineEntry } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/executor.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isId } from '../ids.ts';
import { listJournal } from './journal.repository.ts';
import { describeEntry } from './journal-text.ts';
import { findSigningKeyNames } from './signing-keys.repository.ts';
import { iso } from './user-view.ts';
import { findUser, listTombstonesOf } from './users.repository.ts';

/**
 * How a user came to be, newest first. A merged id answers with its survivor's
 * timeline, which holds the merged users' own history too.
 */
export async function userTimeline(
  ctx: AppContext,
  id: string,
  query: { before?: string | undefined; limit?: number | undefined },
): Promise<{ data: TimelineEntry[]; nextCursor: string | null }> {
  const db = ctx.storage.db;
  const user = await timelineOwner(db, id);
  const userIds = [user.id, ...(await listTombstonesOf(db, user.id)).map((t) => t.id)];
  const limit = query.limit ?? 50;
  const rows = await listJournal(db, userIds, query.before, limit + 1);
  const page = rows.slice(0, limit);
  const entries = page.map((row) => ({ row, data: JSON.parse(row.data) as Record<string, unknown> }));
  const kids = entries
    .map(({ data }) => (data.actor as { kid?: unknown } | undefined)?.kid)
    .filter((kid): kid is string => typeof kid === 'string');
  const keys = await findSigningKeyNames(db, [...new Set(kids)]);
  return {
    data: entries.map(({ row, data }) => ({
      id: row.id,
      userId: row.user_id,
      kind: row.kind as TimelineEntry['kind'],
      text: describeEntry(row.kind, data, keys),
      data,
      createdAt: iso(row.created_at),
    })),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/**
 * The user whose timeline an id names: a merged id's survivor. An erased user still has
 * a timeline, holding only the entry that says it was erased (the rest named them).
 */
async function timelineOwner(db: Executor, id: string): Promise<UserRow> {
  let row = isId(id) ? await findUser(db, id) : undefined;
  if (row?.merged_into) row = await findUser(db, row.merged_into);
  if (!row || row.merged_into) throw new AppError('not_found', 'no such user');
  return row;
}
