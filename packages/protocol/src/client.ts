import { type Static, Type } from '@sinclair/typebox';
import { User } from './users.ts';

export const RESOLUTIONS = ['created', 'matched_external_id', 'matched_email', 'merged_email_user'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const EMAIL_OUTCOMES = [
  'attached',
  'attached_unverified',
  'ignored_unverified',
  'conflict',
  'none',
] as const;
export type EmailOutcome = (typeof EMAIL_OUTCOMES)[number];

/** Login bodies may carry a token up to the size we reject with `token_too_large` (API limit, not JWT limit). */
export const LoginBody = Type.Object({ jwt: Type.String() }, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

export const AnonymousSession = Type.Object(
  { sessionToken: Type.String(), user: User, authenticated: Type.Literal(false) },
  { additionalProperties: false },
);

export const LoginResponse = Type.Object(
  {
    sessionToken: Type.String(),
    user: User,
    authenticated: Type.Literal(true),
    resolution: Type.Union(RESOLUTIONS.map((r) => Type.Literal(r))),
    emailOutcome: Type.Union(EMAIL_OUTCOMES.map((o) => Type.Literal(o))),
    mergedAnonymous: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type LoginResponse = Static<typeof LoginResponse>;

/** Routes that take no input accept `{}` or nothing, and refuse anything else. */
export const EmptyBody = Type.Object({}, { additionalProperties: false });

export const ClientSessionInfo = Type.Object(
  { user: User, authenticated: Type.Boolean(), kid: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);

/** What an end user types into the messenger's details form. */
export const SubmitDetailsBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    email: Type.Optional(
      Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SubmitDetailsBody = Static<typeof SubmitDetailsBody>;
