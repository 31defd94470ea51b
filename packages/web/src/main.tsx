import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Keys, SettingsPage, Team } from './admin.tsx';
import { type Agent, ApiError, api, setCsrfToken } from './api.ts';
import { AuthLog } from './auth-log.tsx';
import { GettingStarted } from './getting-started.tsx';
import { HelpCenter } from './help.tsx';
import { Inbox } from './inbox.tsx';
import { connectLive, type Live, type LiveFrame } from './live.ts';
import { Setup, useSetupNeeded } from './setup.tsx';
import { Snippet } from './snippet.tsx';
import { TokenDebugger } from './token-debugger.tsx';
import { Webhooks } from './webhooks.tsx';
import './styles.css';

type Route =
  | 'inbox'
  | 'help'
  | 'keys'
  | 'settings'
  | 'team'
  | 'auth-log'
  | 'token-debugger'
  | 'snippet'
  | 'webhooks';
const ADMIN_ROUTES: Route[] = [
  'keys',
  'settings',
  'team',
  'auth-log',
  'token-debugger',
  'snippet',
  'webhooks',
];
const routeOf = (): Route => (location.hash.replace('#/', '') as Route) || 'inbox';

function App() {
  const [me, setMe] = useState<Agent | null | undefined>(undefined);
  const [route, setRoute] = useState<Route>(routeOf());
  useEffect(() => {
    const onHash = () => setRoute(routeOf());
    addEventListener('hashchange', onHash);
    api<{ agent: Agent; csrfToken: string | null }>('GET', '/v1/agent/me')
      .then(({ agent, csrfToken }) => {
        setCsrfToken(csrfToken);
        setMe(agent);
      })
      .catch(() => setMe(null));
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const [setupDone, setSetupDone] = useState(false);
  const setupNeeded = useSetupNeeded(me === null);
  if (me === undefined || (me === null && setupNeeded === undefined)) return <p class="loading">Loading…</p>;
  if (me === null && setupNeeded && !setupDone)
    return <Setup onSignedIn={setMe} onDone={() => setSetupDone(true)} />;
  if (me === null) return <SignIn onSignedIn={setMe} />;
  const isAdmin = me.role === 'admin';
  const allowed = isAdmin || !ADMIN_ROUTES.includes(route);
  return (
    <Workspace me={me} route={allowed ? route : 'inbox'} isAdmin={isAdmin} onSignedOut={() => setMe(null)} />
  );
}

function Workspace({
  me,
  route,
  isAdmin,
  onSignedOut,
}: {
  me: Agent;
  route: Route;
  isAdmin: boolean;
  onSignedOut(): void;
}) {
  const [frames, setFrames] = useState<LiveFrame[]>([]);
  const [online, setOnline] = useState(false);
  const [live, setLive] = useState<Live | null>(null);
  useEffect(() => {
    const connection = connectLive((frame) => setFrames((all) => [...all.slice(-50), frame]), setOnline);
    setLive(connection);
    return () => connection.stop();
  }, []);
  const signOut = async () => {
    await api('POST', '/v1/agent/logout').catch(() => {});
    onSignedOut();
  };
  const link = (to: Route, label: string) => (
    <a href={`#/${to}`} aria-current={route === to ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <div class="workspace">
      <nav aria-label="Main">
        <strong class="brand">Signet</strong>
        {link('inbox', 'Inbox')}
        {link('help', 'Help center')}
        {isAdmin && (
          <>
            {link('keys', 'Signing keys')}
            {link('snippet', 'Snippet')}
            {link('auth-log', 'Auth log')}
            {link('webhooks', 'Webhooks')}
            {link('token-debugger', 'Token debugger')}
            {link('settings', 'Settings')}
            {link('team', 'Agents & tokens')}
          </>
        )}
        <span class="spacer" />
        <span class={`live ${online ? 'on' : 'off'}`}>{online ? 'Live' : 'Reconnecting…'}</span>
        <span>{me.name}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </nav>
      <main>
        {isAdmin && <GettingStarted key={route} />}
        {route === 'inbox' && live && <Inbox me={me} live={live} frames={frames} />}
        {route === 'help' && <HelpCenter />}
        {route === 'keys' && <Keys />}
        {route === 'settings' && <SettingsPage />}
        {route === 'team' && <Team />}
        {route === 'auth-log' && <AuthLog />}
        {route === 'webhooks' && <Webhooks />}
        {route === 'token-debugger' && <TokenDebugger />}
        {route === 'snippet' && <Snippet />}
      </main>
    </div>
  );
}

function SignIn({ onSignedIn }: { onSignedIn(agent: Agent): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const { agent, csrfToken } = await api<{ agent: Agent; csrfToken: string }>('POST', '/v1/agent/login', {
        email,
        password,
      });
      setCsrfToken(csrfToken);
      onSignedIn(agent);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'Wrong email or password.' : (e as Error).message);
    }
  };
  return (
    <form class="signin" onSubmit={submit}>
      <h1>Sign in to Signet</h1>
      <label>
        Email
        <input
          type="email"
          autoComplete="username"
          value={email}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
          required
        />
      </label>
      <label>
        Password
        <input
          type="password"
          autoComplete="current-password"
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          required
        />
      </label>
      <button type="submit">Sign in</button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p class="muted">
        No account yet? An admin creates one with <code>npm run signet -- agents create</code>.
      </p>
    </form>
  );
}

render(<App />, document.getElementById('app')!);
