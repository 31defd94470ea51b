import type { Executor } from '../db/executor.ts';
import type { HelpPassRow } from '../db/schema.ts';

export async function insertHelpPass(db: Executor, row: HelpPassRow): Promise<void> {
  await db.insertInto('help_passes').values(row).execute();
}

/**
 * Spends a ticket: at most one caller ever gets the row back (single use), and only
 * before it expires. The same statement binds the cookie to it.
 */
export async function spendTicket(
  db: Executor,
  ticketHash: string,
  cookieHash: string,
  now: number,
): Promise<HelpPassRow | undefined> {
  return db
    .updateTable('help_passes')
    .set({ used_at: now, cookie_hash: cookieHash })
    .where('ticket_hash', '=', ticketHash)
    .where('used_at', 'is', null)
    .where('ticket_expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

export async function findPassByCookie(db: Executor, cookieHash: string): Promise<HelpPassRow | undefined> {
  return db.selectFrom('help_passes').selectAll().where('cookie_hash', '=', cookieHash).executeTakeFirst();
}

export async function deletePass(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('help_passes').where('id', '=', id).execute();
}

/** Tickets never spent and past their minute: nothing can use them any more. */
export async function deleteStaleTickets(db: Executor, now: number): Promise<void> {
  await db
    .deleteFrom('help_passes')
    .where('used_at', 'is', null)
    .where('ticket_expires_at', '<=', now)
    .execute();
}

/**
 * Whether the user holds a session authenticated now (IDENTITY.md §7: not ended, not
 * past its end): the agents' access check asks it of a customer.
 */
export async function hasAuthenticatedSessionNow(
  db: Executor,
  userId: string,
  now: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('client_sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where('authenticated', '=', 1)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  return row !== undefined;
}
