import { type Static, Type } from '@sinclair/typebox';
import { Timestamp } from './common.ts';

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('agent')]);

export const Agent = Type.Object(
  { id: Type.String(), email: Type.String(), name: Type.String(), role: Role },
  { $id: 'Agent', additionalProperties: false },
);
export type Agent = Static<typeof Agent>;

export const AgentLoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

/** The signed-in agent, or an API token acting as one (no email, no CSRF token). */
export const Me = Type.Object(
  {
    agent: Type.Object(
      { id: Type.String(), email: Type.Union([Type.String(), Type.Null()]), name: Type.String(), role: Role },
      { additionalProperties: false },
    ),
    csrfToken: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

/** An agent's sign-in: one rule for every account, the first admin's included. */
export const MIN_PASSWORD_LENGTH = 10;
export const AgentEmail = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
export const AgentName = Type.String({ minLength: 1, maxLength: 255 });
export const AgentPassword = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 });

export const CreateAgentBody = Type.Object(
  { email: AgentEmail, name: AgentName, role: Role, password: AgentPassword },
  { additionalProperties: false },
);

export const ApiToken = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    role: Role,
    createdAt: Timestamp,
    lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { additionalProperties: false },
);

export const CreatedApiToken = Type.Object(
  { id: Type.String(), name: Type.String(), role: Role, token: Type.String() },
  { additionalProperties: false },
);

export const CreateApiTokenBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 255 }), role: Type.Optional(Role) },
  { additionalProperties: false },
);

export const AuthEventStatsQuery = Type.Object(
  { window: Type.Optional(Type.Union([Type.Literal('24h'), Type.Literal('7d')])) },
  { additionalProperties: false },
);

export const AuthEventStats = Type.Object(
  {
    window: Type.String(),
    bucketMs: Type.Integer(),
    buckets: Type.Array(
      Type.Object(
        { start: Timestamp, counts: Type.Record(Type.String(), Type.Integer()) },
        { additionalProperties: false },
      ),
    ),
    totals: Type.Record(Type.String(), Type.Integer()),
  },
  { additionalProperties: false },
);
export type AuthEventStats = Static<typeof AuthEventStats>;

export const PatchAgentBody = Type.Object({ role: Role }, { additionalProperties: false });
export type PatchAgentBody = Static<typeof PatchAgentBody>;
