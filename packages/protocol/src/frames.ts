import { type Static, Type } from '@sinclair/typebox';
import { ClientMessageId, type Conversation, type Message, MessageText } from './messaging.ts';

/** Frames a client (messenger or agent app) sends over the WebSocket (API.md "WebSocket frames"). */
export const AuthFrame = Type.Object(
  {
    type: Type.Literal('auth'),
    sessionToken: Type.Optional(Type.String({ maxLength: 200 })),
    apiToken: Type.Optional(Type.String({ maxLength: 200 })),
    since: Type.Optional(Type.String({ maxLength: 30 })),
  },
  { additionalProperties: false },
);
export type AuthFrame = Static<typeof AuthFrame>;

export const MessageSendFrame = Type.Object(
  {
    type: Type.Literal('message.send'),
    text: MessageText,
    clientMessageId: ClientMessageId,
    conversationId: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const TypingFrame = Type.Object(
  { type: Type.Literal('typing'), conversationId: Type.String({ maxLength: 100 }) },
  { additionalProperties: false },
);

export const ReadFrame = Type.Object(
  {
    type: Type.Literal('read'),
    conversationId: Type.String({ maxLength: 100 }),
    messageId: Type.String({ maxLength: 100 }),
  },
  { additionalProperties: false },
);

export const PingFrame = Type.Object({ type: Type.Literal('ping') }, { additionalProperties: false });

export const ClientFrame = Type.Union([AuthFrame, MessageSendFrame, TypingFrame, ReadFrame, PingFrame]);
export type ClientFrame = Static<typeof ClientFrame>;

export type ReadReceipt = {
  conversationId: string;
  messageId: string;
  by: { type: 'user' | 'agent'; id: string | null };
};

/** Events stored with a cursor and replayed on reconnect. */
export type StoredEvent =
  | { type: 'message.created'; message: Message }
  | { type: 'conversation.created'; conversation: Conversation }
  | { type: 'conversation.updated'; conversation: Conversation }
  | ({ type: 'read' } & ReadReceipt);

/**
 * Why a client session ended (IDENTITY.md §7). `replaced`: a login on this device issued
 * a newer token, which the device already holds; `erased`: the user was erased.
 */
export const SESSION_END_REASONS = [
  'logout',
  'expired',
  'key_deleted',
  'merged',
  'replaced',
  'erased',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export type ServerFrame =
  | ({ cursor: string } & StoredEvent)
  | { type: 'ready'; cursor: string }
  | { type: 'message.ack'; clientMessageId: string; message: Message }
  | {
      type: 'typing';
      conversationId: string;
      author: { type: 'user' | 'agent'; id: string | null; name: string | null };
    }
  | { type: 'session.reauth_required'; reason: 'token_expired' }
  | { type: 'session.ended'; reason: SessionEndReason }
  | { type: 'pong' }
  | { type: 'error'; code: string; message?: string; clientMessageId?: string };

/** Close codes, so a client knows whether to reconnect. */
export const CLOSE = {
  /** Auth failed: unknown, revoked or foreign token. Do not retry with it. */
  unauthorized: 4401,
  /** No auth frame in time. */
  authTimeout: 4408,
  /** The session ended (logout, expiry, key deletion, merge, …): do not reconnect with it. */
  sessionEnded: 4000,
  /** Too many sockets for this user. */
  tooManySockets: 4429,
  /** The client read too slowly; reconnect with the last cursor. */
  slowConsumer: 4008,
  /** The server is shutting down; reconnect with the last cursor. */
  goingAway: 1001,
} as const;
