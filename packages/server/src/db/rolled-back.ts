import type { Storage } from './database.ts';
import type { Executor } from './executor.ts';

class RolledBack<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back on purpose');
  }
}

/**
 * Runs `work` in a transaction that is always rolled back and returns what it computed:
 * a dry run that decides exactly as the real thing would (same code, same locks) and
 * leaves nothing behind.
 */
export async function inRolledBackTransaction<T>(
  storage: Storage,
  work: (trx: Executor) => Promise<T>,
): Promise<T> {
  try {
    await storage.db.transaction().execute(async (trx) => {
      throw new RolledBack(await work(trx));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.value as T;
    throw error;
  }
  throw new Error('unreachable: the transaction always throws');
}
