/** Same-origin calls with the session cookie; mutations echo the CSRF token. */
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(method !== 'GET' && csrfToken ? { 'x-csrf-token': csrfToken } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const json = await response.json().catch(() => ({}));
  if (!response.ok)
    throw new ApiError(
      response.status,
      json?.error?.code ?? 'error',
      json?.error?.message ?? response.statusText,
    );
  return json as T;
}

export type Agent = { id: string; email: string | null; name: string; role: 'admin' | 'agent' };
export type Identity = {
  type: 'external_id' | 'email';
  value: string;
  verified: boolean;
  primary: boolean;
  source: string;
};
export type User = {
  id: string;
  name: string | null;
  email: string | null;
  externalId: string | null;
  authenticated: boolean;
  lastAuthenticatedAt: string | null;
  identities: Identity[];
};
export type Conversation = {
  id: string;
  userId: string;
  status: 'open' | 'pending' | 'solved';
  assigneeId: string | null;
  followUpOf: string | null;
  updatedAt: string;
  lastMessageAt: string | null;
  unreadCount: number;
};
export type Message = {
  id: string;
  conversationId: string;
  author: { type: string; id: string | null; name: string | null };
  text: string;
  authenticated: boolean;
  createdAt: string;
};
export type Page<T> = { data: T[]; nextCursor: string | null };
