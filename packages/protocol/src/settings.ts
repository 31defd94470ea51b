import { type Static, Type } from '@sinclair/typebox';

export const BotStep = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('message'),
      Type.Literal('ask_details'),
      Type.Literal('choices'),
      Type.Literal('handover'),
      Type.Literal('suggest_articles'),
    ]),
    text: Type.Optional(Type.String({ maxLength: 4096 })),
    /** suggest_articles: how many articles to offer at most. */
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    fields: Type.Optional(
      Type.Array(Type.Union([Type.Literal('name'), Type.Literal('email')]), { maxItems: 2 }),
    ),
    choices: Type.Optional(
      Type.Array(
        Type.Object(
          {
            label: Type.String({ minLength: 1, maxLength: 100 }),
            reply: Type.Optional(Type.String({ maxLength: 4096 })),
            handover: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        { maxItems: 10 },
      ),
    ),
  },
  { additionalProperties: false },
);

export const BotFlow = Type.Object(
  { steps: Type.Array(BotStep, { maxItems: 50 }) },
  { additionalProperties: false },
);

export const Settings = Type.Object(
  {
    unverifiedEmail: Type.Union([Type.Literal('ignore'), Type.Literal('attach')]),
    reopenSolvedWithinMinutes: Type.Integer({ minimum: 0, maximum: 525_600 }),
    allowedOrigins: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100 }),
    botFlow: BotFlow,
    /** IDENTITY.md §7: the life of a session authenticated by a token without `exp`. */
    authenticatedSessionHours: Type.Integer({ minimum: 1, maximum: 8760 }),
    /** IDENTITY.md §7: an anonymous session ends after this many days without use. */
    anonymousSessionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
  },
  { $id: 'Settings', additionalProperties: false },
);
export type Settings = Static<typeof Settings>;

export const PatchSettingsBody = Type.Partial(Settings, { additionalProperties: false, minProperties: 1 });
export type PatchSettingsBody = Static<typeof PatchSettingsBody>;

export const DEFAULT_SETTINGS: Settings = {
  unverifiedEmail: 'ignore',
  reopenSolvedWithinMinutes: 0,
  allowedOrigins: ['*'],
  botFlow: {
    steps: [
      { kind: 'message', text: 'Hi {{user.first_name | "there"}}! How can we help?' },
      { kind: 'ask_details', fields: ['name', 'email'] },
      { kind: 'handover', text: 'Thanks! Someone from the team will be with you shortly.' },
    ],
  },
  authenticatedSessionHours: 24,
  anonymousSessionDays: 30,
};
