import { type ConversationsApi, conversationsApi, type MessagesApi, messagesApi } from './conversations.ts';
import { type AdminClientOptions, createTransport, type Transport } from './http.ts';
import { type TokensApi, tokensApi } from './tokens.ts';
import { type UsersApi, usersApi } from './users.ts';

/**
 * The admin API, typed by @signet/protocol. One group per resource; a new one (webhooks,
 * when the protocol has them) is a file like users.ts and one line here.
 */
export type SignetAdmin = {
  users: UsersApi;
  conversations: ConversationsApi;
  messages: MessagesApi;
  tokens: TokensApi;
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
    request,
  };
}
