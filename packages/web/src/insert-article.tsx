import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from './api.ts';

type Found = { id: string; title: string };
type Access = { canRead: boolean; reason: string };

/**
 * HELP.md "article search while replying": published articles matching what the agent
 * types, each with whether this conversation's customer can read it now (the server's
 * rule, not a guess here), and a button that puts its link into the reply.
 */
export function InsertArticle({ userId, onInsert }: { userId: string; onInsert(text: string): void }) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Array<Found & { access?: Access }>>([]);
  const [failed, setFailed] = useState('');
  useEffect(() => {
    setFailed('');
    if (!query.trim()) return setFound([]);
    let stale = false;
    const search = async () => {
      const q = encodeURIComponent(query.trim());
      const { data } = await api<Page<Found>>('GET', `/v1/articles?query=${q}&status=published&limit=5`);
      const withAccess = await Promise.all(
        data.map(async (a) => ({
          id: a.id,
          title: a.title,
          access: await api<Access>('POST', `/v1/articles/${a.id}/check-access`, { userId }).catch(
            () => undefined,
          ),
        })),
      );
      if (!stale) setFound(withAccess);
    };
    const timer = setTimeout(() => void search().catch((e: Error) => !stale && setFailed(e.message)), 200);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [query, userId]);

  return (
    <div class="insert-article">
      <input
        type="search"
        aria-label="Find an article"
        placeholder="Find a help article…"
        value={query}
        onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
      />
      {failed && <p class="muted">The article search failed: {failed}</p>}
      {found.map((a) => (
        <div key={a.id} class="found-article" data-testid="found-article">
          <span>{a.title}</span>{' '}
          <span class={a.access?.canRead ? 'ok' : 'muted'} data-testid="article-access">
            {a.access
              ? a.access.canRead
                ? 'Customer can read it'
                : `Customer cannot read it: ${a.access.reason}`
              : ''}
          </span>{' '}
          <button
            type="button"
            onClick={() => {
              onInsert(`${a.title}: ${location.origin}/help/articles/${a.id}`);
              setQuery('');
            }}
          >
            Insert
          </button>
        </div>
      ))}
    </div>
  );
}
