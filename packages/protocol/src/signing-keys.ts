import { type Static, Type } from '@sinclair/typebox';
import { Timestamp } from './common.ts';

export const KID_PATTERN = '^app_[0-9a-f]{24}$';

export const SigningKey = Type.Object(
  {
    kid: Type.String(),
    name: Type.String(),
    secretPrefix: Type.String(),
    createdAt: Timestamp,
    lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'SigningKey', additionalProperties: false },
);
export type SigningKey = Static<typeof SigningKey>;

/** The one response that ever carries the whole secret. */
export const CreatedSigningKey = Type.Object(
  {
    kid: Type.String(),
    name: Type.String(),
    secret: Type.String(),
    secretPrefix: Type.String(),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type CreatedSigningKey = Static<typeof CreatedSigningKey>;

export const CreateSigningKeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 255 }) },
  { additionalProperties: false },
);
export const SigningKeyParams = Type.Object({ kid: Type.String() });
