import { type Static, Type } from '@sinclair/typebox';
import { TOKEN_REASONS, type TokenReason } from './errors.ts';

export const InspectTokenBody = Type.Object(
  // No cap below the body limit: an oversized token is explained, not refused.
  { jwt: Type.String() },
  { additionalProperties: false },
);
export type InspectTokenBody = Static<typeof InspectTokenBody>;

const Reason = Type.Union(TOKEN_REASONS.map((r) => Type.Literal(r)));

export const TokenCheck = Type.Object(
  {
    rule: Type.String(),
    result: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('skipped')]),
    reason: Type.Optional(Reason),
    claim: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type TokenCheck = Static<typeof TokenCheck>;

/** What a token inspection reports (never the secret, and nothing is written). */
export const TokenInspection = Type.Object(
  {
    valid: Type.Boolean(),
    reason: Type.Union([Reason, Type.Null()]),
    claim: Type.Union([Type.String(), Type.Null()]),
    /** The reason in words, with the fix. */
    explanation: Type.String(),
    header: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    claims: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    checks: Type.Array(TokenCheck),
    key: Type.Union([
      Type.Object(
        {
          kid: Type.String(),
          state: Type.Union([Type.Literal('live'), Type.Literal('deleted'), Type.Literal('unknown')]),
          name: Type.Union([Type.String(), Type.Null()]),
          createdAt: Type.Union([Type.String(), Type.Null()]),
          deletedAt: Type.Union([Type.String(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    /** IDENTITY.md §3 run without writing: who a login with this token would be now. */
    dryRun: Type.Union([
      Type.Object(
        {
          userId: Type.Union([Type.String(), Type.Null()]),
          resolution: Type.String(),
          emailOutcome: Type.String(),
          mergedAnonymous: Type.Boolean(),
          mergesUserId: Type.Union([Type.String(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { $id: 'TokenInspection', additionalProperties: false },
);
export type TokenInspection = Static<typeof TokenInspection>;

/**
 * Each reason code in words, with what to do about it. The token inspector adds what
 * it knows of the token (the key's name, how long ago it expired); the auth log shows
 * these alone next to a failed row.
 */
export const REASON_EXPLANATIONS: Record<TokenReason, string> = {
  malformed:
    'The token is not a well-formed JWT: it needs three base64url parts, a JSON header and payload without repeated keys, no "crit" header, and "typ" JWT if present. Sign it with a JWT library rather than by hand.',
  token_too_large: 'The token is longer than 8 KiB. Keep the claims to the ones Signet reads.',
  alg_not_allowed: 'The header\'s "alg" is not HS256. Sign with HS256 (for example algorithm: "HS256").',
  missing_kid:
    'The header has no "kid". Pass the key id from Signing keys as the "kid" header (keyid in Node\'s jsonwebtoken).',
  unknown_kid:
    'The "kid" names no live signing key. Copy the kid from Signing keys; if the key was deleted, create a new one and sign with it.',
  bad_signature:
    'The signature does not match the key the "kid" names: the token was signed with another secret. Sign with the secret string exactly as shown (its UTF-8 bytes; do not base64-decode it), and send the token unchanged.',
  expired:
    'The token\'s "exp" has passed (Signet allows 60 s of leeway). Sign a fresh token for each login, valid for a few minutes.',
  not_yet_valid:
    'The token\'s "nbf" or "iat" is in the future by more than 60 s. Check the clock of the server that signs tokens.',
  bad_scope: 'The "scope" claim must be exactly "user" (lower case).',
  missing_external_id: 'The token has no "external_id": put your own id for the logged-in customer in it.',
  external_id_too_long: 'The "external_id" is longer than 255 characters.',
  invalid_claim:
    'A claim has the wrong type or shape: external_id a string or an integer (no fraction or exponent), name a string, email an address, email_verified true or false, exp/nbf/iat numbers, tags up to 50 of a-z 0-9 _ - : .',
};
