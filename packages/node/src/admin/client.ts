import { type ConversationsApi, conversationsApi, type MessagesApi, messagesApi } from './conversations.ts';
import { type AdminClientOptions, createTransport, type Transport } from './http.ts';
import { type TokensApi, tokensApi } from './tokens.ts';
import { type UsersApi, usersApi } from './users.ts';
import { type WebhooksApi, webhooksApi } from './webhooks.ts';

/** The admin API, typed by @signet/protocol. One group per resource, each a file like users.ts. */
export type SignetAdmin = {
  users: UsersApi;
  conversations: ConversationsApi;
  messages: MessagesApi;
  tokens: TokensApi;
  webhooks: WebhooksApi;
  /** Any other route, with the same auth and errors: `request('GET', '/v1/auth-events')`. */
  request: Transport;
};

export function createAdminClient(options: AdminClientOptions): SignetAdmin {
  const request = createTransport(options);
  return {
    users: usersApi(request),
    conversations: conversationsApi(request),
    messages: messagesApi(request),
    tokens: tokensApi(request),
    webhooks: webhooksApi(request),
    request,
  };
}
