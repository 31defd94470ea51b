import type { Executor } from '../db/executor.ts';
import type { MasterKey } from '../master-key.ts';
import { anySealedSecret, insertMetaIfAbsent, readMeta } from './meta.repository.ts';

const CHECK_KEY = 'master_key_check';
const CHECK_TEXT = 'signet master key check v1';

/** Start-up refused: this node's master key is not the one the database's secrets were sealed with. */
export class MasterKeyMismatchError extends Error {
  constructor(source: 'env' | 'file') {
    super(
      'SIGNET_MASTER_KEY does not open the secrets in this database. Every node of one ' +
        'installation needs the same master key: the one the database was first started with. ' +
        (source === 'env'
          ? 'Set SIGNET_MASTER_KEY to that key.'
          : 'SIGNET_MASTER_KEY is not set, so the key came from DATA_DIR/master.key; set ' +
            'SIGNET_MASTER_KEY to the right key, or put back the master.key that belongs to this database.'),
    );
    this.name = 'MasterKeyMismatchError';
  }
}

/**
 * The first start stores a value sealed under the master key; every later start (any
 * node) must open it. A database from before the check value is judged by one of its
 * signing-key secrets instead, and gets the check value once that opens. Two nodes
 * starting at once on a new database: the first value stored wins, and both check it.
 */
export async function checkMasterKey(
  db: Executor,
  masterKey: MasterKey,
  source: 'env' | 'file',
  now: number,
): Promise<void> {
  const opens = (sealed: string | undefined) =>
    sealed === undefined || masterKey.tryDecrypt(sealed) === CHECK_TEXT;
  let stored = await readMeta(db, CHECK_KEY);
  if (stored === undefined) {
    const secret = await anySealedSecret(db);
    if (secret !== undefined && masterKey.tryDecrypt(secret) === undefined)
      throw new MasterKeyMismatchError(source);
    await insertMetaIfAbsent(db, CHECK_KEY, masterKey.encrypt(CHECK_TEXT), now);
    stored = await readMeta(db, CHECK_KEY);
  }
  if (!opens(stored)) throw new MasterKeyMismatchError(source);
}
