import { type Static, Type } from '@sinclair/typebox';
import { AgentEmail, AgentName, AgentPassword } from './agents.ts';

/** Whether the first admin is still to be created (no agent exists yet). */
export const SetupState = Type.Object({ needed: Type.Boolean() }, { additionalProperties: false });
export type SetupState = Static<typeof SetupState>;

/** First-run setup: the code from the server's log, and the first admin's account. */
export const SetupBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 64 }),
    email: AgentEmail,
    name: AgentName,
    password: AgentPassword,
  },
  { additionalProperties: false },
);
export type SetupBody = Static<typeof SetupBody>;

/** The getting-started checklist, each step computed from stored state. */
export const Onboarding = Type.Object(
  {
    signingKey: Type.Boolean(),
    login: Type.Boolean(),
    authenticatedMessage: Type.Boolean(),
    /** The demo shop is served here: the quickest way to see a verified login. */
    demo: Type.Boolean(),
  },
  { $id: 'Onboarding', additionalProperties: false },
);
export type Onboarding = Static<typeof Onboarding>;
