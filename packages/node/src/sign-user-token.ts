import { SignJWT } from 'jose';
import { checkUserClaims, type UserClaims, UserTokenError } from './user-claims.ts';

/** A signing key as Signet shows it once at creation (`kid` + `secret`). */
export type SigningKey = { kid: string; secret: string };

export type SignOptions = {
  /** Lifetime: seconds, or a duration such as `"10m"`, `"1h"` (s, m, h, d). Default 10 minutes. */
  expiresIn?: number | string;
};

const KID = /^app_[0-9a-f]{24}$/;
const DEFAULT_LIFETIME_SECONDS = 600;
/** IDENTITY.md §2: Signet rejects a longer token before parsing it. */
const MAX_TOKEN_LENGTH = 8 * 1024;
const DURATION = /^(\d+)\s*(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/**
 * A JWT that logs the customer in to Signet's messenger: HS256 keyed by the secret
 * string's UTF-8 bytes, `kid` in the header, `scope: "user"`, `iat` and `exp` set
 * (IDENTITY.md §1–§2). Every rule is checked first; a broken one throws a
 * UserTokenError naming the claim, so no token Signet would refuse ever leaves.
 */
export async function signUserToken(
  key: SigningKey,
  claims: UserClaims,
  options: SignOptions = {},
): Promise<string> {
  const { kid, secret } = checkKey(key);
  const payload = checkUserClaims(claims);
  const lifetime = lifetimeSeconds(options.expiresIn ?? DEFAULT_LIFETIME_SECONDS);
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
    .setIssuedAt(now)
    .setExpirationTime(now + lifetime)
    .sign(new TextEncoder().encode(secret));
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new UserTokenError(
      'claims',
      `the token would be ${token.length} bytes, over Signet's ${MAX_TOKEN_LENGTH}; send fewer or shorter tags`,
    );
  }
  return token;
}

function checkKey(key: SigningKey): SigningKey {
  if (typeof key !== 'object' || key === null) {
    throw new UserTokenError('key', 'must be { kid, secret } as Signet showed them');
  }
  const { kid, secret } = key;
  if (typeof kid !== 'string' || !KID.test(kid)) {
    throw new UserTokenError('kid', 'must look like app_ followed by 24 lowercase hex characters');
  }
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new UserTokenError('secret', 'is required: the secret shown once when the key was created');
  }
  if (secret.trim() !== secret) {
    // Typically a newline from an env file: the MAC would be keyed by it and never match.
    throw new UserTokenError('secret', 'has leading or trailing whitespace; pass it exactly as shown');
  }
  if (secret.startsWith('whsec_')) {
    throw new UserTokenError('secret', 'is a webhook secret; sign tokens with a signing key secret');
  }
  return { kid, secret };
}

function lifetimeSeconds(expiresIn: number | string): number {
  let seconds: number | undefined;
  if (typeof expiresIn === 'number') seconds = expiresIn;
  else if (typeof expiresIn === 'string') {
    const match = DURATION.exec(expiresIn.trim());
    if (match) seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  }
  if (seconds === undefined || !Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new UserTokenError(
      'expiresIn',
      `must be a positive whole number of seconds or a duration like "10m" (got ${JSON.stringify(expiresIn)})`,
    );
  }
  return seconds;
}
