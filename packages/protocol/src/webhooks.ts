import { type Static, Type } from '@sinclair/typebox';
import { FreeText, Limit, Timestamp } from './common.ts';

/** WEBHOOKS.md "Events": what an endpoint may subscribe to (or `*`). */
export const WEBHOOK_EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.merged',
  'user.erased',
  'user.authenticated',
  'conversation.created',
  'conversation.updated',
  'message.created',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number] | 'webhook.test';

/** Why an endpoint is off: an admin turned it off, the receiver answered 410, or 5 days of failures. */
export const WEBHOOK_DISABLED_REASONS = ['admin', 'gone', 'failing'] as const;
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

const EventPick = Type.Union([...WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t)), Type.Literal('*')]);
const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Events = Type.Array(EventPick, { minItems: 1, maxItems: 20, uniqueItems: true });

export const WebhookEndpoint = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    events: Type.Array(Type.String()),
    description: Type.String(),
    enabled: Type.Boolean(),
    /** Set while disabled: `admin`, `gone` (the receiver answered 410) or `failing` (5 days of failures). */
    disabledReason: Type.Union([
      Type.Union(WEBHOOK_DISABLED_REASONS.map((r) => Type.Literal(r))),
      Type.Null(),
    ]),
    disabledAt: Type.Union([Timestamp, Type.Null()]),
    /** Since when every attempt has failed; null after any success. */
    failingSince: Type.Union([Timestamp, Type.Null()]),
    secretPrefix: Type.String(),
    /** Until then deliveries are signed with the previous secret too. */
    previousSecretUntil: Type.Union([Timestamp, Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'WebhookEndpoint', additionalProperties: false },
);
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

/** The one response that carries the whole secret (creation and rotation). */
export const CreatedWebhookEndpoint = Type.Composite(
  [WebhookEndpoint, Type.Object({ secret: Type.String() })],
  {
    additionalProperties: false,
  },
);
export type CreatedWebhookEndpoint = Static<typeof CreatedWebhookEndpoint>;

export const CreateWebhookBody = Type.Object(
  { url: Url, events: Events, description: Type.Optional(FreeText) },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const PatchWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(FreeText),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type PatchWebhookBody = Static<typeof PatchWebhookBody>;

// Any text: an id that names nothing is a 404 whatever its shape (API.md), never a 400.
export const WebhookParams = Type.Object({ id: Type.String() });
export const WebhookDeliveryParams = Type.Object({ id: Type.String(), deliveryId: Type.String() });

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export const ListWebhookDeliveriesQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(WEBHOOK_DELIVERY_STATUSES.map((s) => Type.Literal(s)))),
    before: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type ListWebhookDeliveriesQuery = Static<typeof ListWebhookDeliveriesQuery>;

export const WebhookAttempt = Type.Object(
  {
    at: Timestamp,
    /** The receiver's status code; null when no answer came (refused, timed out, blocked target). */
    httpStatus: Type.Union([Type.Integer(), Type.Null()]),
    durationMs: Type.Integer(),
    /** The first 1 KiB of the answer's body, or what went wrong. */
    response: Type.String(),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type WebhookAttempt = Static<typeof WebhookAttempt>;

export const WebhookDelivery = Type.Object(
  {
    id: Type.String(),
    /** The `webhook-id` header: the same on every attempt of this event to this endpoint. */
    eventId: Type.String(),
    eventType: Type.String(),
    status: Type.Union(WEBHOOK_DELIVERY_STATUSES.map((s) => Type.Literal(s))),
    attemptCount: Type.Integer(),
    nextAttemptAt: Type.Union([Timestamp, Type.Null()]),
    createdAt: Timestamp,
    /** Newest first. */
    attempts: Type.Array(WebhookAttempt),
  },
  { $id: 'WebhookDelivery', additionalProperties: false },
);
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const ReplayWebhookBody = Type.Object(
  { since: Timestamp, until: Type.Optional(Timestamp) },
  { additionalProperties: false },
);
export type ReplayWebhookBody = Static<typeof ReplayWebhookBody>;
export const ReplayWebhookResponse = Type.Object({ queued: Type.Integer() }, { additionalProperties: false });
export type ReplayWebhookResponse = Static<typeof ReplayWebhookResponse>;

/** The body every delivery carries (WEBHOOKS.md "Events"). */
export type WebhookEventBody = {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: Record<string, unknown>;
  /** Grows with each event (so per conversation, and per user for `user.*`); gaps are normal. */
  sequence: number;
};
