/**
 * The claim rules of IDENTITY.md §2, checked before signing: a mistake is an error
 * naming the claim here, in the business's backend, not a token every login refuses.
 */

/** What a user token says about the logged-in customer. */
export type UserClaims = {
  /** Your id for the customer: a string of 1..255 characters, or an integer (a bigint too). */
  external_id: string | number | bigint;
  /** Set by the signer; only `"user"` is accepted if you pass it. */
  scope?: 'user';
  /** At most 255 characters. `null` is the same as leaving it out. */
  name?: string | null;
  /** At most 254 characters, shaped like an address. `null` is the same as leaving it out. */
  email?: string | null;
  /** `true` only when your backend has verified the email; `null` is the same as leaving it out. */
  email_verified?: boolean | null;
  /** At most 50 tags, each 1..64 of `a-z 0-9 _ - : .` (lowercased before signing). */
  tags?: readonly string[] | null;
};

/** A claim that Signet would refuse, or a key or option that cannot make a valid token. */
export class UserTokenError extends Error {
  override readonly name = 'UserTokenError';
  constructor(
    /** The claim (`external_id`, `email`, …) or input (`kid`, `secret`, `expiresIn`) at fault. */
    readonly claim: string,
    message: string,
  ) {
    super(`${claim}: ${message}`);
  }
}

const MAX_EXTERNAL_ID = 255;
const MAX_NAME = 255;
const MAX_EMAIL = 254;
const MAX_TAGS = 50;
// The same shape the server checks (packages/server/src/identity/verify-token.ts).
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TAG = /^[a-z0-9_\-:.]{1,64}$/;
const KNOWN_CLAIMS = ['scope', 'external_id', 'name', 'email', 'email_verified', 'tags'];
const TIME_CLAIMS = ['exp', 'iat', 'nbf'];

/** The payload to sign, or a UserTokenError naming the first claim that breaks a rule. */
export function checkUserClaims(claims: UserClaims): Record<string, unknown> {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new UserTokenError('claims', 'must be an object such as { external_id: "42" }');
  }
  const given = claims as Record<string, unknown>;
  for (const claim of Object.keys(given)) {
    if (TIME_CLAIMS.includes(claim)) {
      throw new UserTokenError(claim, 'is set by the signer; pass { expiresIn } in the options instead');
    }
    if (!KNOWN_CLAIMS.includes(claim)) {
      // A typo such as `emailVerified` would otherwise be ignored by Signet, silently.
      throw new UserTokenError(claim, `is not a claim Signet reads (${KNOWN_CLAIMS.join(', ')})`);
    }
  }
  if (given.scope !== undefined && given.scope !== 'user') {
    throw new UserTokenError('scope', 'must be "user" (the signer sets it; you may leave it out)');
  }
  const payload: Record<string, unknown> = { scope: 'user', external_id: externalId(given.external_id) };

  const name = given.name;
  if (name !== undefined && name !== null) {
    if (typeof name !== 'string') throw new UserTokenError('name', 'must be a string');
    if (codePoints(name) > MAX_NAME) {
      throw new UserTokenError('name', `must be at most ${MAX_NAME} characters (got ${codePoints(name)})`);
    }
    payload.name = name;
  }

  const email = given.email;
  if (email !== undefined && email !== null) {
    if (typeof email !== 'string') throw new UserTokenError('email', 'must be a string');
    if (email.length > MAX_EMAIL) {
      throw new UserTokenError('email', `must be at most ${MAX_EMAIL} characters (got ${email.length})`);
    }
    if (!EMAIL_SHAPE.test(email)) {
      throw new UserTokenError('email', 'must look like an address (name@domain.tld, no spaces)');
    }
    payload.email = email;
  }

  const verified = given.email_verified;
  if (verified !== undefined && verified !== null) {
    if (typeof verified !== 'boolean') {
      throw new UserTokenError('email_verified', `must be true or false (got ${JSON.stringify(verified)})`);
    }
    payload.email_verified = verified;
  }

  if (given.tags !== undefined && given.tags !== null) payload.tags = tags(given.tags);
  return payload;
}

function externalId(value: unknown): string | number {
  if (value === undefined || value === null || value === '') {
    throw new UserTokenError('external_id', 'is required: your id for the logged-in customer');
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new UserTokenError(
        'external_id',
        `must be a string or a safe integer (got ${value}); pass larger ids as a string or a bigint`,
      );
    }
    return value;
  }
  if (typeof value !== 'string') throw new UserTokenError('external_id', 'must be a string or an integer');
  if (codePoints(value) > MAX_EXTERNAL_ID) {
    throw new UserTokenError(
      'external_id',
      `must be at most ${MAX_EXTERNAL_ID} characters (got ${codePoints(value)})`,
    );
  }
  return value;
}

function tags(value: unknown): string[] {
  if (!Array.isArray(value)) throw new UserTokenError('tags', 'must be an array of strings');
  if (value.length > MAX_TAGS) {
    throw new UserTokenError('tags', `must hold at most ${MAX_TAGS} tags (got ${value.length})`);
  }
  const result: string[] = [];
  for (const item of value) {
    const tag = typeof item === 'string' ? item.toLowerCase() : undefined;
    if (tag === undefined || !TAG.test(tag)) {
      throw new UserTokenError(
        'tags',
        `${JSON.stringify(item)} is not a tag: 1..64 characters of a-z 0-9 _ - : .`,
      );
    }
    if (!result.includes(tag)) result.push(tag);
  }
  return result;
}

/** Signet counts characters as code points, as the server does. */
const codePoints = (text: string): number => [...text].length;
