import { PostgresAdapter, sql } from 'kysely';
import type { Executor } from '../db/executor.ts';

const SETUP_LOCK = 0x5369_7375;

/**
 * Inside a transaction: makes concurrent first-run setups take turns (PostgreSQL: an
 * advisory lock held until commit; SQLite has one writer connection already).
 */
export async function lockSetup(trx: Executor): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(${SETUP_LOCK})`.execute(trx);
  }
}

export async function anyAgentExists(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('agents').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}
