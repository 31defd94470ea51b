import { timingSafeEqual } from 'node:crypto';
import type { MasterKey } from '../master-key.ts';

// No 0/O, 1/I/L: a code read off a terminal is typed back without guessing.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/**
 * The one-time setup code: derived from the master key, so every node and the CLI
 * (`signet setup-code`) print the same one, and nothing is stored. 15 characters from 31
 * (about 74 bits); it opens POST /v1/setup only while no agent exists.
 */
export function setupCode(masterKey: MasterKey): string {
  const bytes = masterKey.derive('signet first-run setup code v1');
  let code = '';
  for (let i = 0; i < 15; i++) code += ALPHABET[bytes[i]! % ALPHABET.length];
  return `${code.slice(0, 5)}-${code.slice(5, 10)}-${code.slice(10)}`;
}

/** Compares a typed code, forgiving case, spaces and dashes, in constant time. */
export function isSetupCode(masterKey: MasterKey, typed: string): boolean {
  const normalize = (s: string) => Buffer.from(s.toUpperCase().replace(/[\s-]/g, ''));
  const expected = normalize(setupCode(masterKey));
  const given = normalize(typed);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
