import { randomBytes } from 'node:crypto';
import type { CreatedSigningKey, SigningKey } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { SigningKeyRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { endSessionsOfKid } from './client-sessions.repository.ts';
import {
  countSigningKeys,
  deleteSigningKeyRow,
  findSealedSecret,
  insertSigningKey,
  listSigningKeys as listRows,
} from './signing-keys.repository.ts';
import { iso, isoOrNull } from './user-view.ts';

export const MAX_LIVE_KEYS = 50;

/** IDENTITY.md §1: the server makes the secret; the caller sees it once, here. */
export async function createSigningKey(ctx: AppContext, name: string): Promise<CreatedSigningKey> {
  const now = ctx.now();
  const kid = `app_${randomBytes(12).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const row: SigningKeyRow = {
    kid,
    name,
    secret_sealed: ctx.masterKey.encrypt(secret),
    secret_prefix: secret.slice(0, 6),
    created_at: now,
    last_used_at: null,
    deleted_at: null,
  };
  await ctx.storage.db.transaction().execute(async (trx) => {
    if ((await countSigningKeys(trx)) >= MAX_LIVE_KEYS) {
      throw new AppError(
        'too_many_keys',
        `at most ${MAX_LIVE_KEYS} signing keys may be live; delete one first`,
      );
    }
    await insertSigningKey(trx, row);
  });
  return { kid, name, secret, secretPrefix: row.secret_prefix, createdAt: iso(now) };
}

export async function listSigningKeys(ctx: AppContext): Promise<SigningKey[]> {
  const rows = await listRows(ctx.storage.db);
  return rows.map((r) => ({
    kid: r.kid,
    name: r.name,
    secretPrefix: r.secret_prefix,
    createdAt: iso(r.created_at),
    lastUsedAt: isoOrNull(r.last_used_at),
  }));
}

/**
 * IDENTITY.md §1, §7: from this moment the kid is refused (every node reads keys from
 * the database), and the sessions it authenticated end on every node; their devices log
 * in again through the host page. Users, identities and messages are untouched.
 */
export async function deleteSigningKey(ctx: AppContext, kid: string): Promise<void> {
  const sessionIds = await ctx.storage.db.transaction().execute(async (trx) => {
    if (!(await deleteSigningKeyRow(trx, kid, ctx.now())))
      throw new AppError('not_found', 'no such signing key');
    return endSessionsOfKid(trx, kid, ctx.now());
  });
  await ctx.bus.publish({ type: 'session.ended', sessionIds, reason: 'key_deleted' });
}

/**
 * The HMAC key of a live signing key. The row is read on every login, so a deletion
 * is seen at once on every node; decrypting and importing the key happen once.
 */
export async function lookupVerificationKey(
  ctx: AppContext,
  kid: string,
): Promise<{ key: CryptoKey; lastUsedAt: number | null } | undefined> {
  const row = await findSealedSecret(ctx.storage.db, kid);
  if (row === undefined) return undefined;
  const sealed = row.secret_sealed;
  let key = keyCache.get(sealed);
  if (!key) {
    const secret = new TextEncoder().encode(ctx.masterKey.decrypt(sealed));
    key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    if (keyCache.size > 1000) keyCache.clear();
    keyCache.set(sealed, key);
  }
  return { key: await key, lastUsedAt: row.last_used_at };
}

// Keyed by the sealed text, so a deleted or replaced key can never be served from here.
const keyCache = new Map<string, Promise<CryptoKey>>();
