import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MasterKey } from './master-key.ts';

describe('MasterKey', () => {
  it('round-trips a secret and detects tampering', () => {
    const key = MasterKey.fromBytes(randomBytes(32));
    const sealed = key.encrypt('the secret');
    expect(sealed).not.toContain('the secret');
    expect(key.decrypt(sealed)).toBe('the secret');
    const [v, iv, tag, body] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0]! ^= 1;
    expect(() => key.decrypt([v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => MasterKey.fromBytes(randomBytes(32)).decrypt(sealed)).toThrow();
  });

  it('generates a 0600 key file once and reads the same key back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-key-'));
    const first = MasterKey.loadOrCreate(dir);
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    const second = MasterKey.loadOrCreate(dir);
    expect(second.decrypt(first.encrypt('x'))).toBe('x');
    expect(readFileSync(join(dir, 'master.key'), 'utf8').trim()).toHaveLength(43);
  });

  it('parses hex and base64 keys from SIGNET_MASTER_KEY', () => {
    const bytes = randomBytes(32);
    const sealed = MasterKey.parse(bytes.toString('hex')).encrypt('y');
    expect(MasterKey.parse(bytes.toString('base64')).decrypt(sealed)).toBe('y');
  });
});
