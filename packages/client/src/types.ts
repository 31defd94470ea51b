import type { Conversation, Message, User } from '@signet/protocol';

/** The wire shapes come from the protocol package (types only: nothing of it is bundled). */
export type { Conversation, Message, User };
export type Author = Message['author'];

/** A message the user sent that the server has not acknowledged yet. */
export type PendingMessage = Omit<Message, 'id' | 'createdAt'> & {
  id: null;
  createdAt: string;
  clientMessageId: string;
  status: 'sending' | 'failed';
};

export type ConnectionState = 'idle' | 'connecting' | 'online' | 'offline';

export type ServerFrame = { type: string; cursor?: string; [key: string]: unknown };

/** Where the session token lives between page loads. */
export interface TokenStore {
  get(): string | null;
  set(token: string): void;
  clear(): void;
}

export type WebSocketLike = {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
};

export type WebSocketFactory = (url: string) => WebSocketLike;
