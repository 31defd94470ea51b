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

let sent = 0;

/** One message from the session's user, through the client API; returns its conversation id. */
export async function seedHistory(server: TestServer, sessionToken: string, text: string): Promise<string> {
  const response = await server.request('POST', '/v1/client/messages', {
    token: sessionToken,
    body: { text, clientMessageId: `seed-${Date.now()}-${++sent}` },
  });
  if (response.statusCode !== 201) throw new Error(`send: ${response.statusCode} ${response.body}`);
  return response.json().conversationId;
}

export async function login(server: TestServer, jwt: string, sessionToken?: string) {
  return server.request('POST', '/v1/client/login', { body: { jwt }, token: sessionToken });
}
