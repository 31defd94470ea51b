/**
 * A delivery's body (WEBHOOKS.md "Events"). Until @signet/protocol exports the webhook
 * schemas, `data` is untyped here; when it does, this file re-exports the protocol's
 * event union and callers of verifyWebhook get narrowed `data` for free.
 */
export type WebhookEventType =
  | 'user.created'
  | 'user.updated'
  | 'user.merged'
  | 'user.erased'
  | 'user.authenticated'
  | 'conversation.created'
  | 'conversation.updated'
  | 'message.created'
  | 'webhook.test';

export type WebhookEvent = {
  id: string;
  type: WebhookEventType | (string & {});
  createdAt: string;
  data: Record<string, unknown>;
  /** Grows per conversation (per user for `user.*`): put events back in order with it. */
  sequence: number;
};
