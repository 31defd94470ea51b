import type { Executor } from '../db/executor.ts';
import type { SigningKeyRow } from '../db/schema.ts';

export async function insertSigningKey(db: Executor, row: SigningKeyRow): Promise<void> {
  await db.insertInto('signing_keys').values(row).execute();
}

export async function listSigningKeys(db: Executor): Promise<SigningKeyRow[]> {
  return db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid').execute();
}

export async function countSigningKeys(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('signing_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function findSealedSecret(
  db: Executor,
  kid: string,
): Promise<Pick<SigningKeyRow, 'secret_sealed' | 'last_used_at'> | undefined> {
  return db
    .selectFrom('signing_keys')
    .select(['secret_sealed', 'last_used_at'])
    .where('kid', '=', kid)
    .executeTakeFirst();
}

export async function deleteSigningKeyRow(db: Executor, kid: string): Promise<boolean> {
  const result = await db.deleteFrom('signing_keys').where('kid', '=', kid).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function touchSigningKey(db: Executor, kid: string, now: number): Promise<void> {
  await db.updateTable('signing_keys').set({ last_used_at: now }).where('kid', '=', kid).execute();
}

export async function findSigningKeyByName(db: Executor, name: string): Promise<SigningKeyRow | undefined> {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where('name', '=', name)
    .orderBy('created_at')
    .executeTakeFirst();
}
