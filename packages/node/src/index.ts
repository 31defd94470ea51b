export type { Conversation, Message, TokenInspection, User } from '@signet/protocol';
export { createAdminClient, type SignetAdmin } from './admin/client.ts';
export type { ConversationsApi, MessagesApi } from './admin/conversations.ts';
export { type AdminClientOptions, type Page, SignetApiError } from './admin/http.ts';
export type { TokensApi } from './admin/tokens.ts';
export type { UsersApi } from './admin/users.ts';
export type { WebhookDeliveriesQuery, WebhooksApi } from './admin/webhooks.ts';
export { type SigningKey, type SignOptions, signUserToken } from './sign-user-token.ts';
export { type UserClaims, UserTokenError } from './user-claims.ts';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookErrorCode,
  type WebhookHeaders,
  WebhookVerificationError,
} from './verify-webhook.ts';
export type { WebhookEvent, WebhookEventType } from './webhook-event.ts';
