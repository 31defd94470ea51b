import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from './errors.ts';
import { metrics } from './metrics/metrics.ts';

const MISMATCH_MESSAGE =
  "a stored secret cannot be opened with this node's master key; every node needs the same SIGNET_MASTER_KEY";

/**
 * Secrets at rest (IDENTITY.md §1): AES-256-GCM under a master key that never sits in
 * the database, so a dump alone reveals nothing. The key comes from
 * SIGNET_MASTER_KEY or from a 0600 file generated beside the data.
 */
export class MasterKey {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  static fromBytes(key: Buffer): MasterKey {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
    return new MasterKey(key);
  }

  /** Parses 64 hex chars or 43/44 base64/base64url chars. */
  static parse(text: string): MasterKey {
    const trimmed = text.trim();
    const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
      ? Buffer.from(trimmed, 'hex')
      : Buffer.from(trimmed, 'base64');
    return MasterKey.fromBytes(bytes);
  }

  static loadOrCreate(dataDir: string): MasterKey {
    const path = join(dataDir, 'master.key');
    if (existsSync(path)) {
      const mode = statSync(path).mode & 0o777;
      if (mode & 0o077) chmodSync(path, 0o600);
      return MasterKey.parse(readFileSync(path, 'utf8'));
    }
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(32);
    writeFileSync(path, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    return new MasterKey(key);
  }

  /** A value derived from the key for one purpose (HMAC-SHA256 of the label): reveals nothing of it. */
  derive(label: string): Buffer {
    return createHmac('sha256', this.#key).update(label).digest();
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, all base64url. */
  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /**
   * Throws `master_key_mismatch` (503) when the secret was sealed under another key:
   * a node started with a different SIGNET_MASTER_KEY than the one that wrote it.
   */
  decrypt(sealed: string): string {
    const plaintext = this.tryDecrypt(sealed);
    if (plaintext === undefined) {
      metrics.masterKeyFailure();
      throw new AppError('master_key_mismatch', MISMATCH_MESSAGE);
    }
    return plaintext;
  }

  /** The plaintext, or undefined when this key cannot open it. */
  tryDecrypt(sealed: string): string | undefined {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unreadable sealed secret');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return undefined;
    }
  }
}
