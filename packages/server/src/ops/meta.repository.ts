import type { Executor } from '../db/executor.ts';

export async function readMeta(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Inserts unless the key is already there (another node got there first); never overwrites. */
export async function insertMetaIfAbsent(
  db: Executor,
  key: string,
  value: string,
  now: number,
): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key, value, created_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** Any one sealed signing-key secret: a database from before the check value is judged by it. */
export async function anySealedSecret(db: Executor): Promise<string | undefined> {
  const row = await db.selectFrom('signing_keys').select('secret_sealed').limit(1).executeTakeFirst();
  return row?.secret_sealed;
}
