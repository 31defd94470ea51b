import type { ArticleHit, RenderedArticle, SignetClient } from '@signet/client';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Strings } from './i18n.ts';

const DEBOUNCE_MS = 250;

/**
 * The messenger's Help view: search as you type, read an article in place, open it in
 * the help center signed in, or go to the chat. Everything is read as the messenger's
 * current session, so `session` (who that is) re-runs the search and re-reads the open
 * article: after a logout, what the visitor may no longer read is gone from view.
 * Snippets and article bodies are HTML the server escaped or sanitized; nothing else is.
 */
export function HelpView({
  client,
  strings,
  session,
  onChat,
}: {
  client: SignetClient;
  strings: Strings;
  session: string;
  onChat(): void;
}) {
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<ArticleHit[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const [article, setArticle] = useState<RenderedArticle | null>(null);
  const body = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);
  // The latest keystroke wins: a slower answer to an older query is dropped.
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      client.help.search(query).then(
        (found) => {
          if (!current) return;
          setHits(found);
          setFailed(false);
        },
        () => current && setFailed(true),
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, query, session]);
  useEffect(() => {
    if (!openId) return setArticle(null);
    let current = true;
    client.help.article(openId).then(
      (read) => current && (read ? setArticle(read) : setOpenId(null)),
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
  }, [client, openId, session]);
  // Links in an article leave the page in a new tab, never the shop's tab.
  useLayoutEffect(() => {
    for (const link of Array.from(body.current?.querySelectorAll('a') ?? [])) {
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
    }
  }, [article]);

  const openInHelpCenter = () => {
    // Opened now, while the click still counts as the user's; pointed at the ticket once it is issued.
    const tab = window.open('', '_blank');
    if (!tab || !article) return;
    tab.opener = null;
    client.help.ticketUrl(article.id).then(
      (url) => tab.location.replace(url),
      () => tab.location.replace(article.url),
    );
  };

  const chat = (
    <p class="chat-cta">
      {strings.stillNeedHelp}{' '}
      <button type="button" class="link" onClick={onChat}>
        {strings.chatWithUs}
      </button>
    </p>
  );

  if (openId)
    return (
      <div class="help" data-testid="help">
        <button type="button" class="link back" onClick={() => setOpenId(null)}>
          ← {strings.back}
        </button>
        {article && article.id === openId ? (
          <article data-testid="article">
            <h3>{article.title}</h3>
            {/* Sanitized by the server (HELP.md). */}
            <div class="article-body" ref={body} dangerouslySetInnerHTML={{ __html: article.html }} />
            <button type="button" class="link" onClick={openInHelpCenter}>
              {strings.openInHelpCenter} ↗
            </button>
          </article>
        ) : (
          <p class="empty" role="status">
            {failed ? strings.helpUnavailable : strings.loading}
          </p>
        )}
        {chat}
      </div>
    );

  return (
    <div class="help" data-testid="help">
      <input
        ref={input}
        type="search"
        aria-label={strings.searchHelp}
        placeholder={strings.searchHelp}
        value={query}
        maxLength={200}
        onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
      />
      {failed && (
        <p class="status" role="status">
          {strings.helpUnavailable}
        </p>
      )}
      <ul aria-live="polite">
        {hits?.map((hit) => (
          <li key={hit.id}>
            <button
              type="button"
              class="hit"
              data-testid="hit"
              data-id={hit.id}
              onClick={() => {
                setFailed(false);
                setOpenId(hit.id);
              }}
            >
              <strong>{hit.title}</strong>
              {/* Escaped by the server, only <mark> added. */}
              <span dangerouslySetInnerHTML={{ __html: hit.snippet }} />
            </button>
          </li>
        ))}
      </ul>
      {hits?.length === 0 && <p class="empty">{strings.noArticles}</p>}
      {chat}
    </div>
  );
}
