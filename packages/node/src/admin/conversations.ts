import type {
  AgentReplyBody,
  Conversation,
  ListConversationsQuery,
  ListMessagesQuery,
  Message,
  PatchConversationBody,
} from '@signet/protocol';
import { type Page, segment, type Transport } from './http.ts';

/** `/v1/conversations` (API.md), newest activity first. */
export type ConversationsApi = {
  list(query?: ListConversationsQuery): Promise<Page<Conversation>>;
  /** Every conversation matching the query, fetching page after page as you iterate. */
  all(query?: Omit<ListConversationsQuery, 'before'>): AsyncIterable<Conversation>;
  get(id: string): Promise<Conversation>;
  /** Status (`open` | `pending` | `solved`) and/or assignee (null unassigns). */
  update(id: string, body: PatchConversationBody): Promise<Conversation>;
};

/** `/v1/conversations/:id/messages`: read a conversation, answer as the API token. */
export type MessagesApi = {
  list(conversationId: string, query?: ListMessagesQuery): Promise<Page<Message>>;
  all(conversationId: string, query?: Omit<ListMessagesQuery, 'before'>): AsyncIterable<Message>;
  /** A reply from the team; the same `clientMessageId` again answers the original message. */
  send(conversationId: string, body: AgentReplyBody): Promise<Message>;
};

export function conversationsApi(request: Transport): ConversationsApi {
  const path = (id: string) => `/v1/conversations/${segment(id)}`;
  const list = async (query: ListConversationsQuery = {}) =>
    (await request<Page<Conversation>>('GET', '/v1/conversations', { query })).body;
  return {
    list,
    all: (query = {}) => pages((before) => list({ ...query, before })),
    get: async (id) => (await request<Conversation>('GET', path(id))).body,
    update: async (id, body) => (await request<Conversation>('PATCH', path(id), { body })).body,
  };
}

export function messagesApi(request: Transport): MessagesApi {
  const path = (id: string) => `/v1/conversations/${segment(id)}/messages`;
  const list = async (conversationId: string, query: ListMessagesQuery = {}) =>
    (await request<Page<Message>>('GET', path(conversationId), { query })).body;
  return {
    list,
    all: (conversationId, query = {}) => pages((before) => list(conversationId, { ...query, before })),
    send: async (conversationId, body) =>
      (await request<Message>('POST', path(conversationId), { body })).body,
  };
}

/** Follows `nextCursor` until the server says there is no more. */
async function* pages<T>(fetchPage: (before: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let before: string | undefined;
  do {
    const page = await fetchPage(before);
    yield* page.data;
    before = page.nextCursor ?? undefined;
  } while (before !== undefined);
}
