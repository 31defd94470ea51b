import { findLiveSession } from '../src/identity/client-sessions.ts';
import { newId } from '../src/ids.ts';
import { insertConversation, insertMessage } from '../src/messaging/conversations.repository.ts';
import type { TestServer } from './harness.ts';

/** An anonymous device: POST /v1/client/sessions. */
export async function anonymousSession(
  server: TestServer,
): Promise<{ sessionToken: string; userId: string }> {
  const response = await server.request('POST', '/v1/client/sessions', { body: {} });
  if (response.statusCode !== 201) throw new Error(`session: ${response.statusCode} ${response.body}`);
  const body = response.json();
  return { sessionToken: body.sessionToken, userId: body.user.id };
}

/**
 * A conversation with one message written by the session's user, stored through the
 * repositories (the messaging API arrives later; the rows are the real ones).
 */
export async function seedHistory(server: TestServer, sessionToken: string, text: string): Promise<string> {
  const db = server.runtime.storage.db;
  const live = await findLiveSession(db, sessionToken, Date.now());
  if (!live) throw new Error('no live session');
  const now = Date.now();
  const conversationId = newId(now);
  await insertConversation(db, {
    id: conversationId,
    user_id: live.user.id,
    status: 'open',
    assignee_id: null,
    follow_up_of: null,
    channel: 'messenger',
    created_at: now,
    updated_at: now,
    last_message_at: now,
  });
  await insertMessage(db, {
    id: newId(now),
    conversation_id: conversationId,
    user_id: live.user.id,
    author_type: 'user',
    author_id: live.user.id,
    text,
    authenticated: live.authenticated ? 1 : 0,
    client_message_id: newId(now),
    created_at: now,
  });
  return conversationId;
}

export async function login(server: TestServer, jwt: string, sessionToken?: string) {
  return server.request('POST', '/v1/client/login', { body: { jwt }, token: sessionToken });
}
