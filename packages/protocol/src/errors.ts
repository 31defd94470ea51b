import { type Static, Type } from '@sinclair/typebox';

/** Reason codes of a rejected end-user token (IDENTITY.md §2). */
export const TOKEN_REASONS = [
  'malformed',
  'token_too_large',
  'alg_not_allowed',
  'missing_kid',
  'unknown_kid',
  'bad_signature',
  'expired',
  'not_yet_valid',
  'bad_scope',
  'missing_external_id',
  'external_id_too_long',
  'invalid_claim',
] as const;
export type TokenReason = (typeof TOKEN_REASONS)[number];

export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String(),
        message: Type.String(),
        reason: Type.Optional(Type.String()),
        claim: Type.Optional(Type.String()),
        field: Type.Optional(Type.String()),
        step: Type.Optional(Type.Integer()),
        problems: Type.Optional(Type.Array(Type.String())),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'Error', additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;
