/** The wire shapes the client reads; they mirror @signet/protocol without pulling in its schemas. */
export type Author = { type: 'user' | 'agent' | 'bot' | 'system'; id: string | null; name: string | null };

export type Message = {
  id: string;
  conversationId: string;
  author: Author;
  text: string;
  authenticated: boolean;
  createdAt: string;
  clientMessageId?: string;
};

/** A message the user sent that the server has not acknowledged yet. */
export type PendingMessage = Omit<Message, 'id' | 'createdAt'> & {
  id: null;
  createdAt: string;
  clientMessageId: string;
  status: 'sending' | 'failed';
};

export type Conversation = {
  id: string;
  userId: string;
  status: 'open' | 'pending' | 'solved';
  assigneeId: string | null;
  followUpOf: string | null;
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string | null;
  unreadCount: number;
};

export type User = {
  id: string;
  name: string | null;
  email: string | null;
  externalId: string | null;
  authenticated: boolean;
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
