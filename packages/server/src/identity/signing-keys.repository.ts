import type { Executor } from '../db/executor.ts';
import type { SigningKeyRow } from '../db/schema.ts';

export async function insertSigningKey(db: Executor, row: SigningKeyRow): Promise<void> {
  await db.insertInto('signing_keys').values(row).execute();
}

export async function listSigningKeys(db: Executor): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
}

export async function countSigningKeys(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('signing_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('deleted_at', 'is', null)
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
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Marks a live key deleted and wipes its secret. Returns whether a live key was there. */
export async function deleteSigningKeyRow(db: Executor, kid: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('signing_keys')
    .set({ deleted_at: now, secret_sealed: '' })
    .where('kid', '=', kid)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A key by kid, live or deleted (never its secret's use: see findSealedSecret). */
export async function findSigningKey(db: Executor, kid: string): Promise<SigningKeyRow | undefined> {
  return db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
}

export async function touchSigningKey(db: Executor, kid: string, now: number): Promise<void> {
  await db.updateTable('signing_keys').set({ last_used_at: now }).where('kid', '=', kid).execute();
}

export async function findSigningKeyByName(db: Executor, name: string): Promise<SigningKeyRow | undefined> {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where('name', '=', name)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .executeTakeFirst();
}

/** Names of these keys, live or deleted, for explaining what a kid was. */
export async function findSigningKeyNames(
  db: Executor,
  kids: readonly string[],
): Promise<Map<string, string>> {
  if (kids.length === 0) return new Map();
  const rows = await db.selectFrom('signing_keys').select(['kid', 'name']).where('kid', 'in', kids).execute();
  return new Map(rows.map((r) => [r.kid, r.name]));
}
