import { useEffect, useState } from 'preact/hooks';
import { type Agent, api, type Page } from './api.ts';
import { fmtTime, SecretOnce } from './ui.tsx';

type SigningKey = {
  kid: string;
  name: string;
  secretPrefix: string;
  createdAt: string;
  lastUsedAt: string | null;
};
type CreatedKey = SigningKey & { secret: string };

/** Signing keys: the secret is shown once, with a copy button; deletion says what it does. */
export function Keys() {
  const [keys, setKeys] = useState<SigningKey[]>([]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [deleting, setDeleting] = useState<SigningKey | null>(null);
  const load = async () => setKeys((await api<Page<SigningKey>>('GET', '/v1/signing-keys')).data);
  useEffect(() => {
    void load();
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    setCreated(await api<CreatedKey>('POST', '/v1/signing-keys', { name: name.trim() }));
    setName('');
    await load();
  };
  const remove = async (key: SigningKey) => {
    await api('DELETE', `/v1/signing-keys/${key.kid}`);
    setDeleting(null);
    await load();
  };

  return (
    <section class="page">
      <h1>Signing keys</h1>
      <form class="inline" onSubmit={create}>
        <input
          aria-label="Key name"
          placeholder="Key name, e.g. production"
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
          required
        />
        <button type="submit">Create key</button>
      </form>
      {created && (
        <SecretOnce text={created.secret} onDone={() => setCreated(null)}>
          Keep it in your backend's secret store; use kid <code>{created.kid}</code> in the token header.
        </SecretOnce>
      )}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>kid</th>
            <th>Secret</th>
            <th>Created</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.kid} data-testid="key-row">
              <td>{key.name}</td>
              <td>
                <code>{key.kid}</code>
              </td>
              <td>
                <code>{key.secretPrefix}…</code>
              </td>
              <td>{fmtTime(key.createdAt)}</td>
              <td>{key.lastUsedAt ? fmtTime(key.lastUsedAt) : 'never'}</td>
              <td>
                <button type="button" class="danger" onClick={() => setDeleting(key)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {deleting && (
        <div class="dialog" role="alertdialog" aria-label="Confirm deletion">
          <p>
            Delete <strong>{deleting.name}</strong>? Tokens signed with <code>{deleting.kid}</code> are
            refused from this moment, and messenger sessions that logged in with it must log in again. Users,
            their conversations and the check marks on past messages stay as they are.
          </p>
          <button type="button" class="danger" onClick={() => remove(deleting)}>
            Delete key
          </button>{' '}
          <button type="button" onClick={() => setDeleting(null)}>
            Cancel
          </button>
        </div>
      )}
    </section>
  );
}

type Settings = {
  unverifiedEmail: 'ignore' | 'attach';
  reopenSolvedWithinMinutes: number;
  botFlow: { steps: unknown[] };
};

export function SettingsPage() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [saved, setSaved] = useState(false);
  const [flow, setFlow] = useState('');
  const [flowMessage, setFlowMessage] = useState('');
  useEffect(() => {
    void api<Settings>('GET', '/v1/settings').then((loaded) => {
      setSettings(loaded);
      setFlow(JSON.stringify(loaded.botFlow.steps, null, 2));
    });
  }, []);
  const saveFlow = async (event: Event) => {
    event.preventDefault();
    try {
      const steps = JSON.parse(flow);
      await api('PATCH', '/v1/settings', { botFlow: { steps } });
      setFlowMessage('Flow saved.');
    } catch (e) {
      setFlowMessage(e instanceof SyntaxError ? `Not valid JSON: ${e.message}` : (e as Error).message);
    }
  };
  if (!settings) return <section class="page">Loading…</section>;
  const save = async (event: Event) => {
    event.preventDefault();
    setSettings(
      await api<Settings>('PATCH', '/v1/settings', {
        unverifiedEmail: settings.unverifiedEmail,
        reopenSolvedWithinMinutes: settings.reopenSolvedWithinMinutes,
      }),
    );
    setSaved(true);
  };
  return (
    <section class="page">
      <h1>Settings</h1>
      <form class="stack" onSubmit={save}>
        <label>
          An email in a token without <code>email_verified: true</code>
          <select
            value={settings.unverifiedEmail}
            onChange={(e) =>
              setSettings({
                ...settings,
                unverifiedEmail: (e.target as HTMLSelectElement).value as Settings['unverifiedEmail'],
              })
            }
          >
            <option value="ignore">is ignored</option>
            <option value="attach">is kept as an unverified identity</option>
          </select>
        </label>
        <label>
          A new message reopens a solved conversation within (minutes; 0 = never, start a follow-up)
          <input
            type="number"
            min={0}
            value={settings.reopenSolvedWithinMinutes}
            onInput={(e) =>
              setSettings({
                ...settings,
                reopenSolvedWithinMinutes: Number((e.target as HTMLInputElement).value),
              })
            }
          />
        </label>
        <button type="submit">Save</button>
        {saved && <span role="status">Saved.</span>}
      </form>
      <h1>Bot flow</h1>
      <form class="stack" onSubmit={saveFlow}>
        <p class="muted">
          Steps run in order: <code>message</code> (text), <code>ask_details</code> (fields <code>name</code>,{' '}
          <code>email</code>, each asked only if unknown), <code>choices</code> (text and choices with a reply
          or a hand-over), <code>handover</code>. Text may use <code>{'{{user.first_name | "there"}}'}</code>,{' '}
          <code>{'{{user.email}}'}</code>, <code>{'{{user.external_id}}'}</code>, the same under{' '}
          <code>requester.</code>. An empty list turns the bot off.
        </p>
        <textarea
          aria-label="Bot flow steps (JSON)"
          rows={14}
          value={flow}
          onInput={(e) => setFlow((e.target as HTMLTextAreaElement).value)}
        />
        <button type="submit">Save flow</button>
        {flowMessage && <span role="status">{flowMessage}</span>}
      </form>
    </section>
  );
}

type ApiToken = { id: string; name: string; role: string; createdAt: string; lastUsedAt: string | null };

export function Team() {
  const [agents, setAgents] = useState<Agent[]>([]);
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [newToken, setNewToken] = useState<string | null>(null);
  const [form, setForm] = useState({ email: '', name: '', role: 'agent', password: '' });
  const [error, setError] = useState('');
  const load = async () => {
    setAgents((await api<Page<Agent>>('GET', '/v1/agents')).data);
    setTokens((await api<Page<ApiToken>>('GET', '/v1/api-tokens')).data);
  };
  useEffect(() => {
    void load();
  }, []);
  const addAgent = async (event: Event) => {
    event.preventDefault();
    try {
      await api('POST', '/v1/agents', form);
      setForm({ email: '', name: '', role: 'agent', password: '' });
      setError('');
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const addToken = async () => {
    const created = await api<{ token: string }>('POST', '/v1/api-tokens', {
      name: `token ${tokens.length + 1}`,
    });
    setNewToken(created.token);
    await load();
  };
  const field = (key: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [key]: (e.target as HTMLInputElement).value });
  return (
    <section class="page">
      <h1>Agents</h1>
      <table>
        <tbody>
          {agents.map((a) => (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td>{a.email}</td>
              <td>{a.role}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="inline" onSubmit={addAgent}>
        <input aria-label="Email" placeholder="email" value={form.email} onInput={field('email')} required />
        <input aria-label="Name" placeholder="name" value={form.name} onInput={field('name')} required />
        <select aria-label="Role" value={form.role} onChange={field('role')}>
          <option value="agent">agent</option>
          <option value="admin">admin</option>
        </select>
        <input
          aria-label="Password"
          type="password"
          placeholder="password (10+)"
          value={form.password}
          onInput={field('password')}
          required
        />
        <button type="submit">Add agent</button>
      </form>
      {error && <p class="error">{error}</p>}
      <h1>API tokens</h1>
      {newToken && (
        <div class="secret" role="alert">
          <strong>Copy this token now; it will not be shown again:</strong> <code>{newToken}</code>
        </div>
      )}
      <table>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{t.role}</td>
              <td>created {fmtTime(t.createdAt)}</td>
              <td>{t.lastUsedAt ? `used ${fmtTime(t.lastUsedAt)}` : 'never used'}</td>
              <td>
                <button
                  type="button"
                  class="danger"
                  onClick={() => api('DELETE', `/v1/api-tokens/${t.id}`).then(load)}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={addToken}>
        Create API token
      </button>
    </section>
  );
}
