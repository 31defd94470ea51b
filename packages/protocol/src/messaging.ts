import { type Static, Type } from '@sinclair/typebox';
import { Id, Limit, Timestamp } from './common.ts';

export const CONVERSATION_STATUSES = ['open', 'pending', 'solved'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export const AUTHOR_TYPES = ['user', 'agent', 'bot', 'system'] as const;
export type AuthorType = (typeof AUTHOR_TYPES)[number];

/** Message text limit, in code points (API.md). */
export const MAX_MESSAGE_LENGTH = 4096;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const Conversation = Type.Object(
  {
    id: Type.String(),
    userId: Type.String(),
    status: Type.Union(CONVERSATION_STATUSES.map((s) => Type.Literal(s))),
    assigneeId: Nullable(Type.String()),
    followUpOf: Nullable(Type.String()),
    channel: Type.String(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    lastMessageAt: Nullable(Timestamp),
    /** Messages the viewer has not read yet: user-side for the messenger, team-side for agents. */
    unreadCount: Type.Integer({ minimum: 0 }),
  },
  { $id: 'Conversation', additionalProperties: false },
);
export type Conversation = Static<typeof Conversation>;

export const Author = Type.Object(
  {
    type: Type.Union(AUTHOR_TYPES.map((t) => Type.Literal(t))),
    id: Nullable(Type.String()),
    name: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const Message = Type.Object(
  {
    id: Type.String(),
    conversationId: Type.String(),
    author: Author,
    text: Type.String(),
    authenticated: Type.Boolean(),
    createdAt: Timestamp,
    clientMessageId: Type.Optional(Type.String()),
  },
  { $id: 'Message', additionalProperties: false },
);
export type Message = Static<typeof Message>;

export const MessageText = Type.String({ minLength: 1, maxLength: MAX_MESSAGE_LENGTH });
export const ClientMessageId = Type.String({ minLength: 1, maxLength: 100 });

export const SendMessageBody = Type.Object(
  { text: MessageText, clientMessageId: ClientMessageId, conversationId: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export type SendMessageBody = Static<typeof SendMessageBody>;

export const AgentReplyBody = Type.Object(
  { text: MessageText, clientMessageId: Type.Optional(ClientMessageId) },
  { additionalProperties: false },
);
export type AgentReplyBody = Static<typeof AgentReplyBody>;

export const PatchConversationBody = Type.Object(
  {
    status: Type.Optional(Type.Union(CONVERSATION_STATUSES.map((s) => Type.Literal(s)))),
    assigneeId: Type.Optional(Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 100 })])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchConversationBody = Static<typeof PatchConversationBody>;

export const ListConversationsQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(CONVERSATION_STATUSES.map((s) => Type.Literal(s)))),
    userId: Type.Optional(Type.String({ maxLength: 100 })),
    /** An agent or token id, `me`, or `none` for unassigned. */
    assigneeId: Type.Optional(Type.String({ maxLength: 100 })),
    /** Search by the user's name, email or external id. */
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    before: Type.Optional(Id),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type ListConversationsQuery = Static<typeof ListConversationsQuery>;

export const ListMessagesQuery = Type.Object(
  { before: Type.Optional(Id), limit: Type.Optional(Limit) },
  { additionalProperties: false },
);
export type ListMessagesQuery = Static<typeof ListMessagesQuery>;

export const ConversationParams = Type.Object({ id: Type.String() });

export const ReadBody = Type.Object(
  { conversationId: Type.String({ maxLength: 100 }), messageId: Type.String({ maxLength: 100 }) },
  { additionalProperties: false },
);
export type ReadBody = Static<typeof ReadBody>;

export const AgentReadBody = Type.Object(
  { messageId: Type.String({ maxLength: 100 }) },
  { additionalProperties: false },
);

/**
 * The messenger's view: a conversation of the user with its newest messages (oldest
 * first). `messagesCursor` is the `before` for `GET /v1/client/conversations/:id/messages`
 * while older messages remain, null once `messages` reaches the first one.
 */
export const ClientConversation = Type.Composite([
  Conversation,
  Type.Object({ messages: Type.Array(Message), messagesCursor: Type.Union([Type.String(), Type.Null()]) }),
]);

/** `GET /v1/client/conversations` and `…/:id/messages`: `before` is a `nextCursor` from the page before. */
export const ClientPageQuery = Type.Object(
  { before: Type.Optional(Id), limit: Type.Optional(Limit) },
  { additionalProperties: false },
);
export type ClientPageQuery = Static<typeof ClientPageQuery>;

/** Older messages of one conversation, oldest first; `nextCursor` reaches further back. */
export const ClientMessagesPage = Type.Object(
  { data: Type.Array(Message), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export type ClientMessagesPage = Static<typeof ClientMessagesPage>;

/**
 * The user's conversations, newest first, a page at a time (`nextCursor` = `before` for
 * the next page, null after the oldest).
 */
export const ClientHistory = Type.Object(
  {
    data: Type.Array(ClientConversation),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
    /** Open the socket with `since` = this, and nothing between fetch and socket is missed. */
    eventCursor: Type.String(),
    unreadCount: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type ClientHistory = Static<typeof ClientHistory>;
