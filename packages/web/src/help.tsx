import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from './api.ts';

type Audience =
  | { type: 'everyone' }
  | { type: 'signed_in' }
  | { type: 'segment'; tagsAll: string[]; tagsAny: string[] };
type Collection = { id: string; title: string; description: string; position: number };
type Article = {
  id: string;
  collectionId: string;
  title: string;
  body: string;
  status: 'draft' | 'published';
  audience: Audience;
};
type Draft = Omit<Article, 'id'> & { id?: string };

const AUDIENCE_LABEL = {
  everyone: 'Everyone',
  signed_in: 'Signed-in customers',
  segment: 'Customers with tags',
};
export const audienceText = (a: Audience): string =>
  a.type === 'segment'
    ? `Tags: ${[a.tagsAll.join(' + '), a.tagsAny.length ? `any of ${a.tagsAny.join(', ')}` : ''].filter(Boolean).join('; ')}`
    : AUDIENCE_LABEL[a.type];
const tagList = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** HELP.md "Admin and agents": collections, articles with an editor, preview, audience and access check. */
export function HelpCenter() {
  const [collections, setCollections] = useState<Collection[]>([]);
  const [articles, setArticles] = useState<Article[]>([]);
  const [collectionId, setCollectionId] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [newCollection, setNewCollection] = useState('');
  const loadCollections = async () => {
    const data = (await api<Page<Collection>>('GET', '/v1/collections')).data;
    setCollections(data);
    setCollectionId((current) => current ?? data[0]?.id ?? null);
  };
  const loadArticles = async (id: string) =>
    setArticles((await api<Page<Article>>('GET', `/v1/articles?collectionId=${id}&limit=200`)).data);
  useEffect(() => {
    void loadCollections();
  }, []);
  useEffect(() => {
    if (collectionId) void loadArticles(collectionId);
  }, [collectionId]);

  const addCollection = async (event: Event) => {
    event.preventDefault();
    const created = await api<Collection>('POST', '/v1/collections', { title: newCollection.trim() });
    setNewCollection('');
    await loadCollections();
    setCollectionId(created.id);
  };
  const saved = async (article: Article | null) => {
    setDraft(article);
    if (collectionId) await loadArticles(collectionId);
  };

  return (
    <section class="page help-center">
      <h1>Help center</h1>
      <div class="help-columns">
        <aside aria-label="Collections">
          {collections.map((c) => (
            <button
              type="button"
              key={c.id}
              class="link"
              aria-current={c.id === collectionId ? 'true' : undefined}
              onClick={() => setCollectionId(c.id)}
            >
              {c.title}
            </button>
          ))}
          <form class="inline" onSubmit={addCollection}>
            <input
              aria-label="New collection"
              placeholder="New collection"
              value={newCollection}
              onInput={(e) => setNewCollection((e.target as HTMLInputElement).value)}
              required
            />
            <button type="submit">Add</button>
          </form>
        </aside>
        <div>
          {collectionId && (
            <button
              type="button"
              onClick={() =>
                setDraft({
                  collectionId,
                  title: '',
                  body: '',
                  status: 'draft',
                  audience: { type: 'everyone' },
                })
              }
            >
              New article
            </button>
          )}
          <ul class="article-list">
            {articles.map((a) => (
              <li key={a.id} data-testid="article-row">
                <button type="button" class="link" onClick={() => setDraft(a)}>
                  {a.title}
                </button>{' '}
                <span class="muted">
                  {a.status} · {audienceText(a.audience)}
                </span>
              </li>
            ))}
          </ul>
        </div>
      </div>
      {draft && (
        <ArticleEditor key={draft.id ?? 'new'} initial={draft} collections={collections} onSaved={saved} />
      )}
    </section>
  );
}

function ArticleEditor({
  initial,
  collections,
  onSaved,
}: {
  initial: Draft;
  collections: Collection[];
  onSaved(a: Article | null): void;
}) {
  const [draft, setDraft] = useState<Draft>(initial);
  const [preview, setPreview] = useState('');
  const [error, setError] = useState('');
  const [checkUser, setCheckUser] = useState('');
  const [access, setAccess] = useState('');
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  useEffect(() => {
    const timer = setTimeout(() => {
      void api<{ html: string }>('POST', '/v1/articles/preview', { body: draft.body }).then((r) =>
        setPreview(r.html),
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [draft.body]);

  const segment =
    draft.audience.type === 'segment'
      ? draft.audience
      : { type: 'segment' as const, tagsAll: [], tagsAny: [] };
  const save = async (event: Event) => {
    event.preventDefault();
    setError('');
    const { id, ...body } = draft;
    try {
      onSaved(await api<Article>(id ? 'PATCH' : 'POST', id ? `/v1/articles/${id}` : '/v1/articles', body));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const remove = async () => {
    if (!draft.id) return onSaved(null);
    await api('DELETE', `/v1/articles/${draft.id}`);
    onSaved(null);
  };
  const check = async () => {
    try {
      const r = await api<{ canRead: boolean; reason: string }>(
        'POST',
        `/v1/articles/${draft.id}/check-access`,
        { userId: checkUser.trim() },
      );
      setAccess(`${r.canRead ? 'Can read' : 'Cannot read'}: ${r.reason}`);
    } catch (e) {
      setAccess((e as Error).message);
    }
  };

  return (
    <form class="article-editor" onSubmit={save} aria-label="Article editor">
      <label>
        Title{' '}
        <input
          value={draft.title}
          onInput={(e) => set({ title: (e.target as HTMLInputElement).value })}
          required
          maxLength={255}
        />
      </label>
      <label>
        Collection{' '}
        <select
          value={draft.collectionId}
          onChange={(e) => set({ collectionId: (e.target as HTMLSelectElement).value })}
        >
          {collections.map((c) => (
            <option value={c.id} key={c.id}>
              {c.title}
            </option>
          ))}
        </select>
      </label>
      <label>
        Status{' '}
        <select
          value={draft.status}
          onChange={(e) => set({ status: (e.target as HTMLSelectElement).value as Draft['status'] })}
        >
          <option value="draft">Draft</option>
          <option value="published">Published</option>
        </select>
      </label>
      <fieldset>
        <legend>Who can read it</legend>
        {(['everyone', 'signed_in', 'segment'] as const).map((type) => (
          <label key={type}>
            <input
              type="radio"
              name="audience"
              checked={draft.audience.type === type}
              onChange={() => set({ audience: type === 'segment' ? segment : { type } })}
            />{' '}
            {AUDIENCE_LABEL[type]}
          </label>
        ))}
        {draft.audience.type === 'segment' && (
          <>
            <label>
              Has all of these tags{' '}
              <input
                aria-label="Tags, all"
                value={segment.tagsAll.join(', ')}
                placeholder="plan:pro"
                onChange={(e) =>
                  set({ audience: { ...segment, tagsAll: tagList((e.target as HTMLInputElement).value) } })
                }
              />
            </label>
            <label>
              And one of these (optional){' '}
              <input
                aria-label="Tags, any"
                value={segment.tagsAny.join(', ')}
                onChange={(e) =>
                  set({ audience: { ...segment, tagsAny: tagList((e.target as HTMLInputElement).value) } })
                }
              />
            </label>
          </>
        )}
      </fieldset>
      <div class="editor-panes">
        <label>
          Body (Markdown)
          <textarea
            aria-label="Body"
            rows={14}
            value={draft.body}
            onInput={(e) => set({ body: (e.target as HTMLTextAreaElement).value })}
          />
        </label>
        {/* The server's sanitized rendering, the same readers get. */}
        <section
          class="preview"
          data-testid="article-preview"
          aria-label="Preview"
          dangerouslySetInnerHTML={{ __html: preview }}
        />
      </div>
      <button type="submit">Save</button>{' '}
      <button type="button" onClick={remove}>
        {draft.id ? 'Delete' : 'Discard'}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {draft.id && (
        <p class="inline">
          <input
            aria-label="Customer id for access check"
            placeholder="Customer (user id)"
            value={checkUser}
            onInput={(e) => setCheckUser((e.target as HTMLInputElement).value)}
          />
          <button type="button" onClick={check}>
            Check access
          </button>{' '}
          <span data-testid="access-result">{access}</span>
        </p>
      )}
    </form>
  );
}
