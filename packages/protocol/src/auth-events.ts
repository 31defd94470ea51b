import { type Static, Type } from '@sinclair/typebox';
import { Id, Limit, Timestamp } from './common.ts';

export const AuthEvent = Type.Object(
  {
    id: Type.String(),
    createdAt: Timestamp,
    outcome: Type.String({ description: '`ok` or a token reason code (IDENTITY.md §2)' }),
    claim: Type.Union([Type.String(), Type.Null()]),
    kid: Type.Union([Type.String(), Type.Null()]),
    externalId: Type.Union([Type.String(), Type.Null()]),
    externalIdVerified: Type.Boolean(),
    userId: Type.Union([Type.String(), Type.Null()]),
    resolution: Type.Union([Type.String(), Type.Null()]),
    mergedAnonymous: Type.Boolean(),
    emailOutcome: Type.Union([Type.String(), Type.Null()]),
    hadExp: Type.Union([Type.Boolean(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'AuthEvent', additionalProperties: false },
);
export type AuthEvent = Static<typeof AuthEvent>;

export const ListAuthEventsQuery = Type.Object(
  {
    outcome: Type.Optional(Type.String({ maxLength: 50 })),
    kid: Type.Optional(Type.String({ maxLength: 100 })),
    externalId: Type.Optional(Type.String({ maxLength: 255 })),
    userId: Type.Optional(Id),
    before: Type.Optional(Id),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type ListAuthEventsQuery = Static<typeof ListAuthEventsQuery>;
