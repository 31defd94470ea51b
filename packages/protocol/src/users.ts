import { type Static, Type } from '@sinclair/typebox';
import { FreeText, Id, Limit, Timestamp } from './common.ts';

export const IDENTITY_TYPES = ['external_id', 'email'] as const;
export const IDENTITY_SOURCES = ['jwt', 'api', 'agent', 'form'] as const;

export const Identity = Type.Object(
  {
    type: Type.Union(IDENTITY_TYPES.map((t) => Type.Literal(t))),
    value: Type.String(),
    verified: Type.Boolean(),
    primary: Type.Boolean(),
    source: Type.Union(IDENTITY_SOURCES.map((s) => Type.Literal(s))),
  },
  { additionalProperties: false },
);
export type Identity = Static<typeof Identity>;

export const User = Type.Object(
  {
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    externalId: Type.Union([Type.String(), Type.Null()]),
    authenticated: Type.Boolean(),
    lastAuthenticatedAt: Type.Union([Timestamp, Type.Null()]),
    identities: Type.Array(Identity),
    /** The business's tags from the latest token that carried them (IDENTITY.md §2). */
    tags: Type.Array(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'User', additionalProperties: false },
);
export type User = Static<typeof User>;

export const Email = Type.String({ minLength: 3, maxLength: 254 });
export const ExternalId = Type.String({ minLength: 1, maxLength: 255 });

export const CreateUserBody = Type.Object(
  {
    name: Type.Optional(FreeText),
    email: Type.Optional(Email),
    emailVerified: Type.Optional(Type.Boolean()),
    externalId: Type.Optional(ExternalId),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const CreateOrUpdateUserBody = CreateUserBody;

export const PatchUserBody = Type.Object(
  {
    // Null first: with type coercion on, ajv would otherwise turn null into "".
    name: Type.Optional(Type.Union([Type.Null(), FreeText])),
    email: Type.Optional(Email),
    emailVerified: Type.Optional(Type.Boolean()),
    externalId: Type.Optional(ExternalId),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchUserBody = Static<typeof PatchUserBody>;

export const MergeUserBody = Type.Object({ intoUserId: Id }, { additionalProperties: false });

/** Any text: an id that names nothing is a 404 whatever its shape (API.md), never a 400. */
export const UserParams = Type.Object({ id: Type.String() });

export const ListUsersQuery = Type.Object(
  {
    externalId: Type.Optional(ExternalId),
    email: Type.Optional(Email),
    before: Type.Optional(Id),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type ListUsersQuery = Static<typeof ListUsersQuery>;

export const TIMELINE_KINDS = [
  'created',
  'identity_attached',
  'identity_verified',
  'identity_detached',
  'name_changed',
  'tags_changed',
  'login',
  'email_conflict',
  'merged_in',
  'merged_out',
  'unmerged',
  'erased',
] as const;

/** One identity decision about a user, with what it decided and the decision in words. */
export const TimelineEntry = Type.Object(
  {
    id: Type.String(),
    /** The user the decision was about: the survivor, or a user since merged into it. */
    userId: Type.String(),
    kind: Type.Union(TIMELINE_KINDS.map((k) => Type.Literal(k))),
    text: Type.String(),
    data: Type.Record(Type.String(), Type.Unknown()),
    createdAt: Timestamp,
  },
  { $id: 'TimelineEntry', additionalProperties: false },
);
export type TimelineEntry = Static<typeof TimelineEntry>;

export const TimelineQuery = Type.Object(
  { before: Type.Optional(Id), limit: Type.Optional(Limit) },
  { additionalProperties: false },
);

export const UnmergeBody = Type.Object(
  {
    mergedUserId: Type.String({ maxLength: 100 }),
    /** Only say what would move back; change nothing. */
    dryRun: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UnmergeBody = Static<typeof UnmergeBody>;

/** The user shape without its schema id, for a body that holds two users. */
const SecondUser = Type.Object(User.properties, { additionalProperties: false });

export const UnmergeResult = Type.Object(
  {
    restored: User,
    survivor: SecondUser,
    movedBack: Type.Object(
      {
        identities: Type.Array(Type.Object({ type: Type.String(), value: Type.String() })),
        conversations: Type.Integer(),
        messages: Type.Integer(),
      },
      { additionalProperties: false },
    ),
    dryRun: Type.Boolean(),
  },
  { $id: 'UnmergeResult', additionalProperties: false },
);
export type UnmergeResult = Static<typeof UnmergeResult>;
