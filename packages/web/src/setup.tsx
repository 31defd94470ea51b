import { MIN_PASSWORD_LENGTH, type SetupState } from '@signet/protocol';
import { useEffect, useState } from 'preact/hooks';
import { type Agent, ApiError, api, setCsrfToken } from './api.ts';

/** Whether no agent exists yet, so `/` offers first-run setup instead of the sign-in form. */
export function useSetupNeeded(active: boolean): boolean | undefined {
  const [needed, setNeeded] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    if (!active) return;
    api<SetupState>('GET', '/v1/setup')
      .then((state) => setNeeded(state.needed))
      .catch(() => setNeeded(false));
  }, [active]);
  return needed;
}

const FIELDS = [
  { key: 'code', label: 'Setup code', type: 'text', autoComplete: 'one-time-code' },
  { key: 'name', label: 'Your name', type: 'text', autoComplete: 'name' },
  { key: 'email', label: 'Email', type: 'email', autoComplete: 'username' },
  {
    key: 'password',
    label: `Password (${MIN_PASSWORD_LENGTH} characters or more)`,
    type: 'password',
    autoComplete: 'new-password',
  },
] as const;

/** First run: create the first admin with the one-time code the server printed in its log. */
export function Setup({ onSignedIn, onDone }: { onSignedIn(agent: Agent): void; onDone(): void }) {
  const [form, setForm] = useState({ code: '', name: '', email: '', password: '' });
  const [error, setError] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      const { agent, csrfToken } = await api<{ agent: Agent; csrfToken: string }>('POST', '/v1/setup', form);
      setCsrfToken(csrfToken);
      onSignedIn(agent);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'setup_done') return onDone();
      setError(
        e instanceof ApiError && e.code === 'invalid_setup_code'
          ? 'That is not the setup code in the server log.'
          : (e as Error).message,
      );
    }
  };
  return (
    <form class="signin setup" onSubmit={submit} data-testid="setup">
      <h1>Create the first admin</h1>
      <p class="muted">
        Signet has no accounts yet. The server printed a setup code in its log when it started (
        <code>npm run signet -- setup-code</code> prints it again). It works once: after this, the page is
        gone.
      </p>
      {FIELDS.map((field) => (
        <label key={field.key}>
          {field.label}
          <input
            type={field.type}
            autoComplete={field.autoComplete}
            value={form[field.key]}
            onInput={(e) => setForm({ ...form, [field.key]: (e.target as HTMLInputElement).value })}
            minLength={field.key === 'password' ? MIN_PASSWORD_LENGTH : undefined}
            required
          />
        </label>
      ))}
      <button type="submit">Create admin and sign in</button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
