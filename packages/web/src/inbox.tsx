import { useEffect, useRef, useState } from 'preact/hooks';
import { type Agent, api, type Conversation, type Message, type Page, type User } from './api.ts';
import { InsertArticle } from './insert-article.tsx';
import type { Live, LiveFrame } from './live.ts';
import { Timeline } from './timeline.tsx';
import { Badge, fmtTime } from './ui.tsx';

type Filter = { status: 'open' | 'pending' | 'solved'; assigned: 'me' | 'none' | 'all'; q: string };

/** The live inbox: conversations by status and assignee, a thread, and who the user is. */
export function Inbox({ me, live, frames }: { me: Agent; live: Live; frames: LiveFrame[] }) {
  const [filter, setFilter] = useState<Filter>({ status: 'open', assigned: 'all', q: '' });
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [users, setUsers] = useState<Record<string, User>>({});
  const [selected, setSelected] = useState<string | null>(null);

  const load = async () => {
    const params = new URLSearchParams({ status: filter.status, limit: '100' });
    if (filter.assigned !== 'all') params.set('assigneeId', filter.assigned);
    if (filter.q.trim()) params.set('q', filter.q.trim());
    const page = await api<Page<Conversation>>('GET', `/v1/conversations?${params}`);
    setConversations(page.data);
    const missing = [...new Set(page.data.map((c) => c.userId))].filter((id) => !users[id]);
    const fetched = await Promise.all(
      missing.map((id) => api<User>('GET', `/v1/users/${id}`).catch(() => null)),
    );
    setUsers((known) => ({
      ...known,
      ...Object.fromEntries(fetched.filter(Boolean).map((u) => [u!.id, u!])),
    }));
  };

  useEffect(() => {
    void load();
  }, [filter]);
  // Live: any conversation or message event refreshes the list (cheap, and never stale).
  const last = frames.at(-1);
  useEffect(() => {
    if (
      last &&
      ['message.created', 'conversation.created', 'conversation.updated', 'ready'].includes(last.type)
    )
      void load();
  }, [last]);

  const current = conversations.find((c) => c.id === selected) ?? null;
  return (
    <div class="inbox">
      <aside class="list" aria-label="Conversations">
        <div class="filters">
          <div role="tablist" aria-label="Status">
            {(['open', 'pending', 'solved'] as const).map((status) => (
              <button
                type="button"
                role="tab"
                aria-selected={filter.status === status}
                onClick={() => setFilter({ ...filter, status })}
              >
                {status}
              </button>
            ))}
          </div>
          <select
            aria-label="Assignee"
            value={filter.assigned}
            onChange={(e) =>
              setFilter({ ...filter, assigned: (e.target as HTMLSelectElement).value as Filter['assigned'] })
            }
          >
            <option value="all">All</option>
            <option value="me">Mine</option>
            <option value="none">Unassigned</option>
          </select>
          <input
            type="search"
            aria-label="Search by name, email or external id"
            placeholder="Search name, email, external id"
            value={filter.q}
            onChange={(e) => setFilter({ ...filter, q: (e.target as HTMLInputElement).value })}
          />
        </div>
        <ul>
          {conversations.map((c) => {
            const user = users[c.userId];
            return (
              <li key={c.id}>
                <button
                  type="button"
                  class={`row${c.id === selected ? ' selected' : ''}`}
                  data-testid="conversation-row"
                  onClick={() => setSelected(c.id)}
                >
                  <span class="name">
                    {user?.name ?? user?.email ?? 'Anonymous visitor'} {user?.authenticated && <Badge />}
                  </span>
                  <span class="sub">
                    {fmtTime(c.lastMessageAt ?? c.updatedAt)}
                    {c.unreadCount > 0 && (
                      <span class="unread" role="img" aria-label={`${c.unreadCount} unread`}>
                        {c.unreadCount}
                      </span>
                    )}
                  </span>
                </button>
              </li>
            );
          })}
          {conversations.length === 0 && <li class="empty">No conversations here.</li>}
        </ul>
      </aside>
      {current ? (
        <Thread
          key={current.id}
          me={me}
          conversation={current}
          user={users[current.userId]}
          live={live}
          frames={frames}
          onChanged={load}
          onUserChanged={(u) => setUsers((known) => ({ ...known, [u.id]: u }))}
        />
      ) : (
        <section class="thread empty">Select a conversation.</section>
      )}
    </div>
  );
}

function Thread(props: {
  me: Agent;
  conversation: Conversation;
  user: User | undefined;
  live: Live;
  frames: LiveFrame[];
  onChanged(): void;
  onUserChanged(user: User): void;
}) {
  const { conversation, user, frames } = props;
  const [messages, setMessages] = useState<Message[]>([]);
  const [draft, setDraft] = useState('');
  const [typing, setTyping] = useState(false);
  const log = useRef<HTMLDivElement>(null);

  const load = async () => {
    const page = await api<Page<Message>>('GET', `/v1/conversations/${conversation.id}/messages?limit=200`);
    setMessages(page.data);
    const newest = page.data.at(-1);
    if (newest && conversation.unreadCount > 0) {
      await api('POST', `/v1/conversations/${conversation.id}/read`, { messageId: newest.id }).catch(
        () => {},
      );
    }
  };
  useEffect(() => {
    void load();
  }, [conversation.id]);
  const last = frames.at(-1);
  useEffect(() => {
    if (!last) return;
    if (last.type === 'message.created' && (last.message as Message).conversationId === conversation.id) {
      const message = last.message as Message;
      setMessages((all) => (all.some((m) => m.id === message.id) ? all : [...all, message]));
      setTyping(false);
    }
    if (last.type === 'typing' && last.conversationId === conversation.id) {
      setTyping(true);
      const timer = setTimeout(() => setTyping(false), 4000);
      return () => clearTimeout(timer);
    }
  }, [last]);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [messages.length]);

  const sending = useRef(false);
  const reply = async (event: Event) => {
    event.preventDefault();
    // A held-down Enter must not send the same draft twice.
    if (!draft.trim() || sending.current) return;
    sending.current = true;
    try {
      const message = await api<Message>('POST', `/v1/conversations/${conversation.id}/messages`, {
        text: draft.trim(),
      });
      setMessages((all) => (all.some((m) => m.id === message.id) ? all : [...all, message]));
      setDraft('');
    } finally {
      sending.current = false;
    }
  };
  const patch = async (body: Record<string, unknown>) => {
    await api('PATCH', `/v1/conversations/${conversation.id}`, body);
    props.onChanged();
  };

  return (
    <>
      <section class="thread" aria-label="Conversation">
        <header>
          <h2>{user?.name ?? user?.email ?? 'Anonymous visitor'}</h2>
          <label>
            Status{' '}
            <select
              value={conversation.status}
              onChange={(e) => patch({ status: (e.target as HTMLSelectElement).value })}
            >
              <option value="open">open</option>
              <option value="pending">pending</option>
              <option value="solved">solved</option>
            </select>
          </label>
          <button
            type="button"
            onClick={() =>
              patch({ assigneeId: conversation.assigneeId === props.me.id ? null : props.me.id })
            }
          >
            {conversation.assigneeId === props.me.id ? 'Unassign me' : 'Assign to me'}
          </button>
        </header>
        {conversation.followUpOf && <p class="followup">Follow-up of an earlier, solved conversation.</p>}
        <div class="messages" ref={log} role="log" aria-live="polite">
          {messages.map((m) => (
            <div class={`message ${m.author.type}`} key={m.id} data-testid="thread-message">
              <span class="author">
                {m.author.name ?? (m.author.type === 'user' ? 'Visitor' : m.author.type)}
                {m.author.type === 'user' && m.authenticated && (
                  <span
                    class="check"
                    role="img"
                    aria-label="Sent through an authenticated session"
                    data-testid="message-check"
                  >
                    ✓
                  </span>
                )}
              </span>
              <p>{m.text}</p>
              <time>{fmtTime(m.createdAt)}</time>
            </div>
          ))}
        </div>
        <div class="typing" aria-live="polite">
          {typing ? `${user?.name ?? 'The visitor'} is typing…` : ''}
        </div>
        <InsertArticle
          userId={conversation.userId}
          onInsert={(text) => setDraft((d) => (d.trim() ? `${d.trimEnd()}\n${text}` : text))}
        />
        <form class="reply" onSubmit={reply}>
          <textarea
            aria-label="Reply"
            value={draft}
            onInput={(e) => {
              setDraft((e.target as HTMLTextAreaElement).value);
              props.live.send({ type: 'typing', conversationId: conversation.id });
            }}
            onKeyDown={(e) => {
              // Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition is neither.
              if (e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
              e.preventDefault();
              (e.currentTarget as HTMLTextAreaElement).form?.requestSubmit();
            }}
          />
          <button type="submit" disabled={!draft.trim()}>
            Send
          </button>
        </form>
      </section>
      {user && (
        <UserPanel
          user={user}
          isAdmin={props.me.role === 'admin'}
          onMerged={props.onUserChanged}
          onUnmerged={(survivor) => {
            props.onUserChanged(survivor);
            props.onChanged();
          }}
        />
      )}
    </>
  );
}

/** Who this is and how sure we are (IDENTITY.md §4), and possible duplicates to merge by hand. */
function UserPanel({
  user,
  isAdmin,
  onMerged,
  onUnmerged,
}: {
  user: User;
  isAdmin: boolean;
  onMerged(user: User): void;
  onUnmerged(survivor: User): void;
}) {
  const [matches, setMatches] = useState<User[]>([]);
  const [confirming, setConfirming] = useState<User | null>(null);
  useEffect(() => {
    void api<Page<User>>('GET', `/v1/users/${user.id}/possible-matches`).then((page) =>
      setMatches(page.data),
    );
  }, [user.id]);
  const verifiedEmail = user.identities.find((i) => i.type === 'email' && i.verified);

  const merge = async (into: User) => {
    const survivor = await api<User>('POST', `/v1/users/${user.id}/merge`, { intoUserId: into.id });
    setConfirming(null);
    onMerged({ ...survivor, id: user.id });
    onMerged(survivor);
  };

  return (
    <aside class="user-panel" aria-label="User" data-testid="user-panel">
      <h3>
        {user.name ?? 'Anonymous visitor'} {user.authenticated && <Badge />}
      </h3>
      {user.authenticated ? (
        <p class="auth">Authenticated by your backend, last {fmtTime(user.lastAuthenticatedAt)}</p>
      ) : (
        <p class="auth muted">Never authenticated</p>
      )}
      <dl>
        <dt>Verified email</dt>
        <dd data-testid="verified-email">{verifiedEmail?.value ?? '—'}</dd>
        <dt>External id</dt>
        <dd data-testid="external-id">{user.externalId ?? '—'}</dd>
      </dl>
      <table class="identities">
        <caption>Identities</caption>
        <thead>
          <tr>
            <th>Type</th>
            <th>Value</th>
            <th>Verified</th>
            <th>Source</th>
          </tr>
        </thead>
        <tbody>
          {user.identities.map((i) => (
            <tr key={`${i.type}:${i.value}`}>
              <td>{i.type === 'external_id' ? 'external id' : 'email'}</td>
              <td>
                {i.value}
                {i.primary && <span class="muted"> (primary)</span>}
              </td>
              <td>{i.verified ? 'yes' : 'no'}</td>
              <td>{i.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {matches.map((match) => (
        <div class="match" key={match.id} data-testid="possible-match">
          <p>
            Possible match: <strong>{match.name ?? match.email}</strong> holds <em>{match.email}</em>{' '}
            verified.
          </p>
          {confirming?.id === match.id ? (
            <div role="alertdialog" aria-label="Confirm merge">
              <p>
                This visitor's conversations, messages and identities move to {match.name ?? match.email}.
                Their verified email and external id stay as they are; this visitor's id will point to them
                from now on. This cannot be undone.
              </p>
              <button type="button" class="danger" onClick={() => merge(match)}>
                Merge into {match.name ?? match.email}
              </button>{' '}
              <button type="button" onClick={() => setConfirming(null)}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" onClick={() => setConfirming(match)}>
              Merge…
            </button>
          )}
        </div>
      ))}
      <Timeline user={user} isAdmin={isAdmin} onUnmerged={onUnmerged} />
    </aside>
  );
}
