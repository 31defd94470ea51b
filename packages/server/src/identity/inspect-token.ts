import {
  REASON_EXPLANATIONS,
  type TokenCheck,
  type TokenInspection,
  type TokenReason,
} from '@signet/protocol';
import { compactVerify } from 'jose';
import type { AppContext } from '../context.ts';
import { inRolledBackTransaction } from '../db/rolled-back.ts';
import { currentSettings } from '../settings/settings.ts';
import { normalizeEmail } from './identities.ts';
import { resolveUser } from './resolve-user.ts';
import { findSigningKey } from './signing-keys.repository.ts';
import { lookupVerificationKey } from './signing-keys.ts';
import { iso, isoOrNull } from './user-view.ts';
import { findIdentityHolder } from './users.repository.ts';
import {
  BASE64_ANY,
  CLAIM_RULES,
  decodeSegment,
  isCanonicalMac,
  keepExternalIdDigits,
  MAX_TOKEN_BYTES,
  TokenRejected,
  type VerifiedClaims,
  verifyToken,
} from './verify-token.ts';

type Check = TokenCheck;

/**
 * The token debugger: every rule of IDENTITY.md §2 in order with its result, the key
 * the token names, the reason in words with the fix, and a dry run of §3 (who a login
 * would be now). The verdict is the login path's own (verifyToken); nothing is written
 * and no auth-log row is made.
 */
export async function inspectToken(ctx: AppContext, jwt: string): Promise<TokenInspection> {
  const now = ctx.now();
  let verified: VerifiedClaims | undefined;
  let rejected: TokenRejected | undefined;
  try {
    verified = await verifyToken(jwt, async (kid) => (await lookupVerificationKey(ctx, kid))?.key, now);
  } catch (error) {
    if (!(error instanceof TokenRejected)) throw error;
    rejected = error;
  }

  const report = await checkEveryRule(ctx, jwt, now);
  const reason = rejected?.reason ?? null;
  return {
    valid: verified !== undefined,
    reason,
    claim: rejected?.claim ?? null,
    explanation: reason
      ? explain(reason, rejected?.claim, report)
      : 'The token is valid: a login with it succeeds.',
    header: report.header ?? null,
    claims: report.payload ?? null,
    checks: report.checks,
    key: report.key,
    dryRun: verified ? await dryRun(ctx, verified) : null,
  };
}

type Report = {
  checks: Check[];
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  key: TokenInspection['key'];
  /** The secret's base64url-decoded bytes verify the signature: the commonest mistake. */
  signedWithDecodedSecret?: boolean;
};

async function checkEveryRule(ctx: AppContext, jwt: string, now: number): Promise<Report> {
  const checks: Check[] = [];
  const report: Report = { checks, key: null };
  let blocked = false;
  const add = (rule: string, failure: { reason: TokenReason; claim?: string } | undefined | 'skip') => {
    if (blocked || failure === 'skip') checks.push({ rule, result: 'skipped' });
    else if (failure) checks.push({ rule, result: 'fail', ...failure });
    else checks.push({ rule, result: 'pass' });
  };
  const stopAfter = () => {
    blocked = checks.at(-1)?.result !== 'pass' || blocked;
  };

  add(
    `at most ${MAX_TOKEN_BYTES} bytes`,
    Buffer.byteLength(jwt) > MAX_TOKEN_BYTES ? { reason: 'token_too_large' } : undefined,
  );
  stopAfter();
  const parts = jwt.split('.');
  const header = parts.length === 3 ? decodeSegment(parts[0]!) : undefined;
  const payload = parts.length === 3 ? decodeSegment(parts[1]!) : undefined;
  if (payload) keepExternalIdDigits(payload, parts[1]!);
  if (header) report.header = header;
  if (payload) report.payload = payload;
  add(
    'three base64url parts; header and payload are JSON objects without repeated keys',
    header && payload && BASE64_ANY.test(parts[2]!) ? undefined : { reason: 'malformed' },
  );
  stopAfter();
  add('alg is HS256', header?.alg === 'HS256' ? undefined : { reason: 'alg_not_allowed' });
  stopAfter();
  const typ = header?.typ;
  add(
    'no crit header; typ is JWT when present',
    header &&
      !('crit' in header) &&
      (typ === undefined || (typeof typ === 'string' && typ.toUpperCase() === 'JWT'))
      ? undefined
      : { reason: 'malformed' },
  );
  stopAfter();
  const kid = typeof header?.kid === 'string' && header.kid.length > 0 ? header.kid : undefined;
  add('kid is present', kid ? undefined : { reason: 'missing_kid' });
  stopAfter();

  const row = kid && /^app_[0-9a-f]{24}$/.test(kid) ? await findSigningKey(ctx.storage.db, kid) : undefined;
  if (kid) {
    report.key = {
      kid: kid.slice(0, 100),
      state: row ? (row.deleted_at === null ? 'live' : 'deleted') : 'unknown',
      name: row?.name ?? null,
      createdAt: row ? iso(row.created_at) : null,
      deletedAt: row ? isoOrNull(row.deleted_at) : null,
    };
  }
  const live = row && row.deleted_at === null ? row : undefined;
  add('kid names a live signing key', live ? undefined : { reason: 'unknown_kid' });
  stopAfter();

  if (live && !blocked) {
    const secret = ctx.masterKey.decrypt(live.secret_sealed);
    const good = isCanonicalMac(parts[2]!) && (await macMatches(jwt, Buffer.from(secret, 'utf8')));
    if (!good) report.signedWithDecodedSecret = await macMatches(jwt, Buffer.from(secret, 'base64url'));
    add(
      "signature is HS256 with the key's secret, in canonical base64url",
      good ? undefined : { reason: 'bad_signature' },
    );
  } else {
    add("signature is HS256 with the key's secret, in canonical base64url", 'skip');
  }
  stopAfter();

  // The claims are read even when the signature failed: knowing all that is wrong at once saves a round.
  blocked = !payload;
  for (const { rule, check } of CLAIM_RULES) {
    add(rule, payload ? check(payload, now / 1000) : 'skip');
  }
  return report;
}

async function macMatches(jwt: string, key: Uint8Array): Promise<boolean> {
  try {
    await compactVerify(jwt, key, { algorithms: ['HS256'] });
    return true;
  } catch {
    return false;
  }
}

function explain(reason: TokenReason, claim: string | undefined, report: Report): string {
  const base = REASON_EXPLANATIONS[reason];
  const key = report.key;
  switch (reason) {
    case 'alg_not_allowed':
      return `The header's "alg" is ${JSON.stringify(report.header?.alg ?? null)}; Signet accepts only HS256. ${base}`;
    case 'unknown_kid':
      if (key?.state === 'deleted')
        return `The key "${key.name}" (${key.kid}) was deleted on ${key.deletedAt}; tokens naming it are refused. Create a new signing key and sign with it.`;
      return `No signing key has the kid ${JSON.stringify(key?.kid ?? null)}. Copy the kid from Signing keys exactly.`;
    case 'bad_signature':
      if (report.signedWithDecodedSecret)
        return `The signature was made with the base64-decoded bytes of key "${key?.name}"'s secret. Sign with the secret string itself (its UTF-8 bytes), exactly as shown.`;
      return `The signature does not match: the token was signed with another secret than key "${key?.name ?? key?.kid}", or altered after signing. Sign with the secret string's UTF-8 bytes, exactly as shown when the key was created.`;
    case 'expired': {
      const exp = report.payload?.exp;
      return typeof exp === 'number'
        ? `The token expired at ${new Date(exp * 1000).toISOString()} (Signet allows 60 s of leeway). Sign a fresh token for each login, valid for a few minutes.`
        : base;
    }
    case 'invalid_claim':
      return `The claim "${claim}" is not valid. ${base}`;
    default:
      return base;
  }
}

/** IDENTITY.md §3 in a transaction that is always rolled back: exactly what a login would decide now. */
async function dryRun(ctx: AppContext, claims: VerifiedClaims): Promise<TokenInspection['dryRun']> {
  const { unverifiedEmail } = await currentSettings(ctx);
  return inRolledBackTransaction(ctx.storage, async (trx) => {
    const holder =
      claims.email && claims.emailVerified
        ? await findIdentityHolder(trx, 'email', normalizeEmail(claims.email), { verifiedOnly: true })
        : undefined;
    const resolved = await resolveUser(trx, {
      claims,
      sessionUserId: undefined,
      unverifiedEmail,
      now: ctx.now(),
    });
    return {
      userId: resolved.resolution === 'created' ? null : resolved.user.id,
      resolution: resolved.resolution,
      emailOutcome: resolved.emailOutcome,
      mergedAnonymous: false,
      mergesUserId: resolved.resolution === 'merged_email_user' ? (holder?.user_id ?? null) : null,
    };
  });
}
