import type { TestServer } from './harness.ts';

/** Help-center test data through the admin API, as the agent app would make it. */
export async function createCollection(server: TestServer, title = 'Getting started'): Promise<string> {
  const response = await server.request('POST', '/v1/collections', {
    token: server.adminToken,
    body: { title, description: `All about ${title}` },
  });
  if (response.statusCode !== 201) throw new Error(`collection: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

export async function createArticle(
  server: TestServer,
  body: Record<string, unknown> & { collectionId: string; title: string },
): Promise<string> {
  const response = await server.request('POST', '/v1/articles', {
    token: server.adminToken,
    body: { status: 'published', ...body },
  });
  if (response.statusCode !== 201) throw new Error(`article: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

/** A user's tags as the token's `tags` claim or the users API would leave them. */
export async function setUserTags(server: TestServer, userId: string, tags: string[]): Promise<void> {
  await server.runtime.storage.db
    .updateTable('users')
    .set({ tags: JSON.stringify(tags) })
    .where('id', '=', userId)
    .execute();
}

/** Opens a help ticket for the session and spends it; returns the help cookie (name=value). */
export async function helpCookie(
  server: TestServer,
  sessionToken: string,
  articleId?: string,
): Promise<string> {
  const issued = await server.request('POST', '/v1/client/help-ticket', {
    token: sessionToken,
    body: articleId ? { articleId } : {},
  });
  if (issued.statusCode !== 200) throw new Error(`ticket: ${issued.statusCode} ${issued.body}`);
  const url = new URL(issued.json().url);
  const exchanged = await server.request('GET', url.pathname + url.search);
  if (exchanged.statusCode !== 303) throw new Error(`exchange: ${exchanged.statusCode} ${exchanged.body}`);
  return String(exchanged.headers['set-cookie']).split(';')[0]!;
}

/** The bot offers up to `limit` articles on a conversation's first message, then hands over. */
export async function useSuggestingBot(server: TestServer, limit: number): Promise<void> {
  const saved = await server.request('PATCH', '/v1/settings', {
    token: server.adminToken,
    body: {
      botFlow: {
        steps: [
          { kind: 'suggest_articles', limit },
          { kind: 'handover', text: 'Someone from the team will be with you shortly.' },
        ],
      },
    },
  });
  if (saved.statusCode !== 200) throw new Error(`bot flow refused: ${saved.body}`);
}
