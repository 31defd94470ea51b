import { sql } from 'kysely';
import type { Executor } from '../db/executor.ts';
import type { ConversationRow } from '../db/schema.ts';

export async function insertConversation(db: Executor, row: ConversationRow): Promise<void> {
  await db.insertInto('conversations').values(row).execute();
}

export async function findConversation(db: Executor, id: string): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function newestConversationOfUser(
  db: Executor,
  userId: string,
): Promise<ConversationRow | undefined> {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function listConversationsOfUser(
  db: Executor,
  userId: string,
  limit = 200,
): Promise<ConversationRow[]> {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export type InboxFilter = {
  status?: ConversationRow['status'] | undefined;
  userId?: string | undefined;
  /** Among these users only (a search result). */
  userIds?: readonly string[] | undefined;
  /** An assignee id, or null for unassigned. */
  assigneeId?: string | null | undefined;
  /** Keyset: conversations strictly after this (activity, id) pair, newest activity first. */
  after?: { activityAt: number; id: string } | undefined;
  limit: number;
};

export async function listInbox(db: Executor, filter: InboxFilter): Promise<ConversationRow[]> {
  let query = db.selectFrom('conversations').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.userId) query = query.where('user_id', '=', filter.userId);
  if (filter.userIds)
    query = filter.userIds.length
      ? query.where('user_id', 'in', filter.userIds)
      : query.where(sql<boolean>`1 = 0`);
  if (filter.assigneeId === null) query = query.where('assignee_id', 'is', null);
  else if (filter.assigneeId) query = query.where('assignee_id', '=', filter.assigneeId);
  const after = filter.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('activity_at', '<', after.activityAt),
        eb.and([eb('activity_at', '=', after.activityAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  return query.orderBy('activity_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

export async function updateConversation(
  db: Executor,
  id: string,
  patch: Partial<
    Pick<ConversationRow, 'status' | 'assignee_id' | 'updated_at' | 'last_message_at' | 'activity_at'>
  >,
): Promise<void> {
  await db.updateTable('conversations').set(patch).where('id', '=', id).execute();
}
