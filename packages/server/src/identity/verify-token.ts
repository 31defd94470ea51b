import type { TokenReason } from '@signet/protocol';
import { compactVerify } from 'jose';
import { parseStrictJsonObject, topLevelNumberSource } from './strict-json.ts';
import { normalizeTags } from './tags.ts';

/** IDENTITY.md §2 limits. */
export const MAX_TOKEN_BYTES = 8 * 1024;
export const LEEWAY_SECONDS = 60;
const MAX_EXTERNAL_ID = 255;
const MAX_NAME = 255;
const MAX_EMAIL = 254;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
export const BASE64_ANY = /^[A-Za-z0-9_\-+/=]*$/;

export type VerifiedClaims = {
  kid: string;
  externalId: string;
  name: string | undefined;
  email: string | undefined;
  emailVerified: boolean;
  /** Seconds since the epoch, when the token had one. */
  exp: number | undefined;
  /** Lowercased, deduplicated; undefined when the token carried no `tags` claim. */
  tags: string[] | undefined;
};

/**
 * What an integrator searches the auth log by, read from the payload even when the
 * token failed. Never trusted beyond that (`externalIdVerified: false`).
 */
export type TokenHints = { kid?: string; externalId?: string; hadExp?: boolean };

export class TokenRejected extends Error {
  constructor(
    readonly reason: TokenReason,
    readonly hints: TokenHints,
    readonly claim?: string,
  ) {
    super(claim ? `${reason}: ${claim}` : reason);
    this.name = 'TokenRejected';
  }
}

/**
 * Returns the HMAC key for a live kid (the secret string's UTF-8 bytes, IDENTITY.md §1,
 * or that key already imported), or undefined.
 */
export type SecretLookup = (kid: string) => Promise<string | CryptoKey | undefined>;

/**
 * Verifies an end-user token exactly as IDENTITY.md §2 says. jose checks the HS256
 * signature; the project's own rules run around it because jose alone accepts
 * oversized tokens, non-canonical signatures, duplicate keys and a future `iat`.
 * Each failure carries one reason code.
 */
export async function verifyToken(
  token: string,
  lookupSecret: SecretLookup,
  now: number = Date.now(),
): Promise<VerifiedClaims> {
  if (Buffer.byteLength(token, 'utf8') > MAX_TOKEN_BYTES) throw new TokenRejected('token_too_large', {});
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenRejected('malformed', {});
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];

  const header = decodeSegment(headerPart);
  const payload = decodeSegment(payloadPart);
  if (!header || !payload) throw new TokenRejected('malformed', {});
  keepExternalIdDigits(payload, payloadPart);
  const hints = hintsFrom(header, payload);
  const reject = (reason: TokenReason, claim?: string) => new TokenRejected(reason, hints, claim);
  if (!BASE64_ANY.test(signaturePart)) throw reject('malformed');

  if (header.alg !== 'HS256') throw reject('alg_not_allowed');
  if ('crit' in header) throw reject('malformed');
  if ('typ' in header && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')) {
    throw reject('malformed');
  }
  if (typeof header.kid !== 'string' || header.kid.length === 0) throw reject('missing_kid');
  const kid = header.kid;

  const secret = /^app_[0-9a-f]{24}$/.test(kid) ? await lookupSecret(kid) : undefined;
  if (secret === undefined) throw reject('unknown_kid');
  if (!isCanonicalMac(signaturePart)) throw reject('bad_signature');
  try {
    // jose compares the MAC in constant time; the secret string's UTF-8 bytes are the key (§1).
    await compactVerify(token, typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret, {
      algorithms: ['HS256'],
    });
  } catch {
    throw reject('bad_signature');
  }

  return checkClaims(kid, payload, now, reject);
}

/** A rule's failure: the reason code, and the claim it is about when there is one. */
export type RuleFailure = { reason: TokenReason; claim?: string };

/**
 * IDENTITY.md §2's claim rules, in the order the login path applies them. The login
 * stops at the first failure; the token inspector (inspect-token.ts) runs them all,
 * so both read the same rules and agree by construction.
 */
export const CLAIM_RULES: readonly {
  rule: string;
  check(payload: Record<string, unknown>, nowSeconds: number): RuleFailure | undefined;
}[] = [
  {
    rule: 'exp, nbf and iat are NumericDates when present',
    check: (payload) => {
      const claim = (['exp', 'nbf', 'iat'] as const).find((c) => c in payload && !isNumericDate(payload[c]));
      return claim ? { reason: 'invalid_claim', claim } : undefined;
    },
  },
  {
    rule: `exp has not passed (${LEEWAY_SECONDS} s leeway)`,
    check: (payload, now) => {
      const exp = payload.exp;
      return isNumericDate(exp) && now > exp + LEEWAY_SECONDS ? { reason: 'expired' } : undefined;
    },
  },
  {
    rule: `nbf and iat are not in the future (${LEEWAY_SECONDS} s leeway)`,
    check: (payload, now) =>
      (['nbf', 'iat'] as const).some((c) => {
        const value = payload[c];
        return isNumericDate(value) && value > now + LEEWAY_SECONDS;
      })
        ? { reason: 'not_yet_valid' }
        : undefined,
  },
  {
    rule: 'scope is exactly "user"',
    check: (payload) => (payload.scope === 'user' ? undefined : { reason: 'bad_scope' }),
  },
  {
    rule: 'external_id is present',
    check: ({ external_id: e }) =>
      e === undefined || e === null || e === '' ? { reason: 'missing_external_id' } : undefined,
  },
  {
    rule: 'external_id is a string or an integer',
    check: ({ external_id: e }) =>
      e === undefined || e === null || e === '' || typeof e === 'string'
        ? undefined
        : { reason: 'invalid_claim', claim: 'external_id' },
  },
  {
    rule: `external_id has at most ${MAX_EXTERNAL_ID} characters`,
    check: ({ external_id: e }) =>
      typeof e === 'string' && [...e].length > MAX_EXTERNAL_ID
        ? { reason: 'external_id_too_long' }
        : undefined,
  },
  {
    rule: `name is a string of at most ${MAX_NAME} characters`,
    check: ({ name }) =>
      name !== undefined && (typeof name !== 'string' || [...name].length > MAX_NAME)
        ? { reason: 'invalid_claim', claim: 'name' }
        : undefined,
  },
  {
    rule: `email looks like an address, at most ${MAX_EMAIL} characters`,
    check: ({ email }) =>
      email !== undefined &&
      (typeof email !== 'string' || email.length > MAX_EMAIL || !EMAIL_SHAPE.test(email.trim()))
        ? { reason: 'invalid_claim', claim: 'email' }
        : undefined,
  },
  {
    rule: 'email_verified is a boolean',
    check: ({ email_verified: v }) =>
      v !== undefined && typeof v !== 'boolean'
        ? { reason: 'invalid_claim', claim: 'email_verified' }
        : undefined,
  },
  {
    rule: 'tags are at most 50 of a-z 0-9 _ - : . (1..64 each)',
    check: ({ tags }) =>
      tags !== undefined && normalizeTags(tags) === undefined
        ? { reason: 'invalid_claim', claim: 'tags' }
        : undefined,
  },
];

function checkClaims(
  kid: string,
  payload: Record<string, unknown>,
  now: number,
  reject: (reason: TokenReason, claim?: string) => TokenRejected,
): VerifiedClaims {
  for (const { check } of CLAIM_RULES) {
    const failure = check(payload, now / 1000);
    if (failure) throw reject(failure.reason, failure.claim);
  }
  const name = payload.name as string | undefined;
  return {
    kid,
    externalId: payload.external_id as string,
    name: name === '' ? undefined : name,
    email: payload.email as string | undefined,
    emailVerified: payload.email_verified === true,
    exp: payload.exp as number | undefined,
    tags: payload.tags === undefined ? undefined : normalizeTags(payload.tags),
  };
}

export function decodeSegment(segment: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  return parseStrictJsonObject(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** A 32-byte MAC has exactly one unpadded base64url form: 43 chars, low 2 bits zero. */
export function isCanonicalMac(segment: string): boolean {
  if (!BASE64URL.test(segment) || segment.length !== 43) return false;
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * IDENTITY.md §2: an integer `external_id` is the digits written in the token, never a
 * double's rounding (9007199254740993 stays itself). A number with a fraction or an
 * exponent is left as a number, which the claim rules refuse as `invalid_claim`.
 */
export function keepExternalIdDigits(payload: Record<string, unknown>, payloadPart: string): void {
  if (typeof payload.external_id !== 'number') return;
  const source = topLevelNumberSource(Buffer.from(payloadPart, 'base64url').toString('utf8'), 'external_id');
  if (source !== undefined && /^-?[0-9]+$/.test(source)) payload.external_id = source;
}

function hintsFrom(header: Record<string, unknown>, payload: Record<string, unknown>): TokenHints {
  const hints: TokenHints = { hadExp: 'exp' in payload };
  if (typeof header.kid === 'string' && header.kid.length <= 100) hints.kid = header.kid;
  const externalId = payload.external_id;
  if (typeof externalId === 'string' && externalId.length > 0) hints.externalId = externalId.slice(0, 255);
  return hints;
}
