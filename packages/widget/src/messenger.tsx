import type { ClientState, SignetClient } from '@signet/client';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { HelpView } from './help.tsx';
import type { Strings } from './i18n.ts';

type Item = {
  key: string;
  authorType: 'user' | 'agent' | 'bot' | 'system';
  authorName: string | null;
  text: string;
  createdAt: string;
  authenticated: boolean;
  status: 'sent' | 'sending' | 'failed';
};

export type View = { open: boolean; visible: boolean; strings: Strings };

/** Flattens every conversation (follow-ups included) into one thread, pending sends last. */
function itemsOf(state: ClientState): Item[] {
  const sent = state.conversations.flatMap((c) =>
    c.messages.map((m) => ({
      key: m.id,
      authorType: m.author.type,
      authorName: m.author.name,
      text: m.text,
      createdAt: m.createdAt,
      authenticated: m.authenticated,
      status: 'sent' as const,
    })),
  );
  const pending = state.pending.map((p) => ({
    key: p.clientMessageId,
    authorType: 'user' as const,
    authorName: p.author.name,
    text: p.text,
    createdAt: p.createdAt,
    authenticated: p.authenticated,
    status: p.status,
  }));
  return [...sent, ...pending];
}

function dayLabel(iso: string, strings: Strings): string {
  const day = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today.getTime() - 86_400_000);
  if (day.toDateString() === today.toDateString()) return strings.today;
  if (day.toDateString() === yesterday.toDateString()) return strings.yesterday;
  return day.toLocaleDateString(undefined, { weekday: 'long', month: 'short', day: 'numeric' });
}

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

export function Messenger({
  client,
  view,
  onToggle,
}: {
  client: SignetClient;
  view: View;
  onToggle(open: boolean): void;
}) {
  const [state, setState] = useState(client.state);
  const [draft, setDraft] = useState('');
  const [tab, setTab] = useState<'chat' | 'help'>('chat');
  const [typing, setTyping] = useState<string | null>(null);
  const log = useRef<HTMLDivElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  const launcher = useRef<HTMLButtonElement>(null);
  const lastTyping = useRef(0);
  const { strings } = view;

  useEffect(() => client.on('change', setState), [client]);
  useEffect(
    () =>
      client.on('typing', ({ author }) => {
        if (author.type === 'user') return;
        setTyping(author.name ?? strings.team);
        setTimeout(() => setTyping(null), 4000);
      }),
    [client, strings],
  );
  useEffect(() => {
    if (view.open && tab === 'chat') {
      composer.current?.focus();
      client.markRead();
    }
  }, [view.open, tab, client]);
  useEffect(() => {
    if (view.open && tab === 'chat' && state.unreadCount > 0) client.markRead();
  }, [view.open, tab, state.unreadCount, client]);
  const items = itemsOf(state);
  const seen = useRef({ first: '', last: '', fromBottom: 0 });
  const loadingOlder = useRef(false);
  // Near the top (or nothing to scroll yet): fetch the next older page.
  const maybeLoadOlder = () => {
    const element = log.current;
    if (!element || loadingOlder.current || !client.state.hasOlder || element.scrollTop > 80) return;
    loadingOlder.current = true;
    void client.loadOlder().finally(() => {
      loadingOlder.current = false;
    });
  };
  const onScroll = () => {
    const element = log.current;
    if (!element) return;
    seen.current.fromBottom = element.scrollHeight - element.scrollTop;
    maybeLoadOlder();
  };
  // Keep the newest message in view; when older ones arrive above, keep what was on screen in place.
  useLayoutEffect(() => {
    const element = log.current;
    if (!element) return;
    const first = items[0]?.key ?? '';
    const last = items.at(-1)?.key ?? '';
    const prepended = seen.current.first !== '' && first !== seen.current.first && last === seen.current.last;
    element.scrollTop = prepended ? element.scrollHeight - seen.current.fromBottom : element.scrollHeight;
    seen.current = { first, last, fromBottom: element.scrollHeight - element.scrollTop };
    maybeLoadOlder();
  }, [items.length, view.open, tab]);

  if (!view.visible) return null;

  const submit = (event?: Event) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!text) return;
    client.send(text);
    setDraft('');
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      submit();
    } else if (Date.now() - lastTyping.current > 2000) {
      lastTyping.current = Date.now();
      client.typing();
    }
  };
  const close = () => {
    onToggle(false);
    launcher.current?.focus();
  };

  let lastDay = '';
  return (
    <>
      {view.open && (
        <section
          class="panel"
          role="dialog"
          aria-label={strings.title}
          onKeyDown={(e) => e.key === 'Escape' && close()}
        >
          <header>
            <h2>{strings.title}</h2>
            {state.user?.authenticated && state.user.name && <span class="who">{state.user.name}</span>}
            <button type="button" aria-label={strings.close} onClick={close}>
              ×
            </button>
          </header>
          <div class="tabs" role="tablist">
            {(['chat', 'help'] as const).map((name) => (
              <button
                type="button"
                role="tab"
                key={name}
                aria-selected={tab === name}
                data-testid={`tab-${name}`}
                onClick={() => setTab(name)}
              >
                {name === 'chat' ? strings.chat : strings.help}
              </button>
            ))}
          </div>
          {tab === 'help' && (
            <HelpView
              client={client}
              strings={strings}
              session={`${state.user?.id}:${state.authenticated}`}
              onChat={() => setTab('chat')}
            />
          )}
          {tab === 'chat' && state.connection !== 'online' && state.connection !== 'idle' && (
            <div class="status" role="status">
              {state.connection === 'connecting' ? strings.connecting : strings.offline}
            </div>
          )}
          {tab === 'chat' && (
            <>
              <div class="log" ref={log} role="log" aria-live="polite" data-testid="log" onScroll={onScroll}>
                {items.length === 0 && <p class="empty">{strings.empty}</p>}
                {items.map((item) => {
                  const day = dayLabel(item.createdAt, strings);
                  const separator = day !== lastDay ? <div class="day">{day}</div> : null;
                  lastDay = day;
                  const name =
                    item.authorType === 'user'
                      ? strings.you
                      : (item.authorName ?? (item.authorType === 'bot' ? strings.bot : strings.team));
                  return (
                    <>
                      {separator}
                      <div
                        class={`msg ${item.authorType}`}
                        data-testid="message"
                        data-author={item.authorType}
                        key={item.key}
                      >
                        <span class="author">{name}</span>
                        <div class="bubble">{item.text}</div>
                        <span class="meta">
                          {item.status === 'sending' && strings.sending}
                          {item.status === 'failed' && <span class="failed">{strings.failed}</span>}
                          {item.status === 'sent' && time(item.createdAt)}
                          {item.authorType === 'user' && item.authenticated && item.status === 'sent' && (
                            <span
                              class="check"
                              role="img"
                              title={strings.verified}
                              aria-label={strings.verified}
                              data-testid="verified"
                            >
                              ✓
                            </span>
                          )}
                        </span>
                      </div>
                    </>
                  );
                })}
              </div>
              <div class="typing" aria-live="polite">
                {typing && strings.typing(typing)}
              </div>
              <form onSubmit={submit}>
                <textarea
                  ref={composer}
                  rows={1}
                  aria-label={strings.placeholder}
                  placeholder={strings.placeholder}
                  value={draft}
                  maxLength={4096}
                  onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
                  onKeyDown={onKeyDown}
                />
                <button type="submit" disabled={!draft.trim()}>
                  {strings.send}
                </button>
              </form>
            </>
          )}
        </section>
      )}
      <button
        ref={launcher}
        type="button"
        class={`launcher${view.open ? ' hidden-on-mobile' : ''}`}
        aria-label={view.open ? strings.close : strings.open}
        aria-expanded={view.open}
        onClick={() => onToggle(!view.open)}
      >
        <svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
          <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z" />
        </svg>
        {state.unreadCount > 0 && (
          <span class="badge" data-testid="badge" role="img" aria-label={strings.unread(state.unreadCount)}>
            {state.unreadCount}
          </span>
        )}
      </button>
    </>
  );
}
