import {
  type WebhookDelivery as Delivery,
  type WebhookEndpoint as Endpoint,
  type ReplayWebhookResponse,
  WEBHOOK_EVENT_TYPES,
} from '@signet/protocol';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type Page } from './api.ts';
import { fmtTime, SecretOnce } from './ui.tsx';

/** Why an endpoint is off, in words (WEBHOOKS.md: "the admin app says so"). */
function disabledText(endpoint: Endpoint): string {
  const since = endpoint.disabledAt ? ` on ${fmtTime(endpoint.disabledAt)}` : '';
  if (endpoint.disabledReason === 'gone')
    return `Turned off${since}: the receiver answered 410 Gone, which means "stop sending". Fix the receiver, then turn it on.`;
  if (endpoint.disabledReason === 'failing')
    return `Turned off${since}: every delivery failed for 5 days. Check the delivery log below, fix the receiver, turn it on, then replay what it missed.`;
  return `Turned off by an admin${since}. Nothing is sent while it is off; replay the gap after turning it on.`;
}

/** Webhook endpoints: the secret shown once, the events picker, on/off, rotation, test, delivery log. */
export function Webhooks() {
  const [endpoints, setEndpoints] = useState<Endpoint[]>([]);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['*']);
  const [secret, setSecret] = useState<{ text: string; note: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState('');
  const load = async () => setEndpoints((await api<Page<Endpoint>>('GET', '/v1/webhooks')).data);
  useEffect(() => {
    void load();
  }, []);
  const attempt = async (action: () => Promise<unknown>) => {
    setError('');
    try {
      await action();
      await load();
    } catch (e) {
      setError(failureText(e));
    }
  };
  const toggle = (type: string) =>
    setEvents((now) => {
      if (type === '*') return ['*'];
      const rest = now.filter((t) => t !== '*' && t !== type);
      return now.includes(type) ? (rest.length ? rest : ['*']) : [...rest, type];
    });
  const create = (event: Event) => {
    event.preventDefault();
    void attempt(async () => {
      const created = await api<Endpoint & { secret: string }>('POST', '/v1/webhooks', {
        url: url.trim(),
        events,
      });
      setSecret({ text: created.secret, note: 'Verify every delivery with it (Standard Webhooks).' });
      setUrl('');
    });
  };

  return (
    <section class="page">
      <h1>Webhooks</h1>
      <p>
        Signed POSTs (Standard Webhooks) to your backend for every change you pick. Failures are retried for
        about a day and a half; receivers should dedupe by <code>webhook-id</code>.
      </p>
      <form class="inline" onSubmit={create}>
        <input
          aria-label="Endpoint URL"
          placeholder="https://your-backend.example/webhooks/signet"
          value={url}
          onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
          required
        />
        <button type="submit">Add endpoint</button>
      </form>
      <fieldset class="events" aria-label="Events">
        {['*', ...WEBHOOK_EVENT_TYPES].map((type) => (
          <label key={type}>
            <input type="checkbox" checked={events.includes(type)} onChange={() => toggle(type)} />
            {type === '*' ? 'Everything' : type}
          </label>
        ))}
      </fieldset>
      {error && <p role="alert">{error}</p>}
      {secret && (
        <SecretOnce text={secret.text} onDone={() => setSecret(null)}>
          {secret.note}
        </SecretOnce>
      )}
      {endpoints.map((endpoint) => (
        <article key={endpoint.id} class="endpoint" data-testid="webhook-row">
          <h2>
            <code>{endpoint.url}</code> {endpoint.enabled ? '' : <span class="warn">off</span>}
          </h2>
          <p>
            {endpoint.events.join(', ')} · secret <code>{endpoint.secretPrefix}…</code>
            {endpoint.previousSecretUntil &&
              ` (the previous secret also signs until ${fmtTime(endpoint.previousSecretUntil)})`}
          </p>
          {!endpoint.enabled && <p data-testid="disabled-reason">{disabledText(endpoint)}</p>}
          {endpoint.enabled && endpoint.failingSince && (
            <p class="warn">
              Failing since {fmtTime(endpoint.failingSince)}; after 5 days of failures it is turned off.
            </p>
          )}
          <button
            type="button"
            onClick={() =>
              attempt(() => api('PATCH', `/v1/webhooks/${endpoint.id}`, { enabled: !endpoint.enabled }))
            }
          >
            {endpoint.enabled ? 'Turn off' : 'Turn on'}
          </button>{' '}
          <button
            type="button"
            disabled={!endpoint.enabled}
            onClick={() => attempt(() => api('POST', `/v1/webhooks/${endpoint.id}/test`))}
          >
            Send test event
          </button>{' '}
          <button
            type="button"
            onClick={() =>
              attempt(async () => {
                const rotated = await api<{ secret: string }>(
                  'POST',
                  `/v1/webhooks/${endpoint.id}/rotate-secret`,
                );
                setSecret({
                  text: rotated.secret,
                  note: 'For 24 hours deliveries are signed with both the old and the new secret.',
                });
              })
            }
          >
            Rotate secret
          </button>{' '}
          <button type="button" onClick={() => setOpen(open === endpoint.id ? null : endpoint.id)}>
            {open === endpoint.id ? 'Hide deliveries' : 'Deliveries'}
          </button>{' '}
          <button
            type="button"
            class="danger"
            onClick={() => attempt(() => api('DELETE', `/v1/webhooks/${endpoint.id}`))}
          >
            Delete
          </button>
          {open === endpoint.id && <DeliveryLog endpoint={endpoint} />}
        </article>
      ))}
    </section>
  );
}

/** What a refused or failed request says on the page. */
function failureText(error: unknown): string {
  return error instanceof ApiError ? `${error.message} (${error.code})` : (error as Error).message;
}

function DeliveryLog({ endpoint }: { endpoint: Endpoint }) {
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [status, setStatus] = useState('');
  const [since, setSince] = useState('');
  const [note, setNote] = useState('');
  const base = `/v1/webhooks/${endpoint.id}`;
  const load = async () =>
    setDeliveries(
      (await api<Page<Delivery>>('GET', `${base}/deliveries${status ? `?status=${status}` : ''}`)).data,
    );
  useEffect(() => {
    void load();
  }, [status]);
  /** Runs a replay or retry and says what came of it, refusals included. */
  const run = async (action: () => Promise<string>) => {
    try {
      setNote(await action());
      await load();
    } catch (e) {
      setNote(failureText(e));
    }
  };
  const replay = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const { queued } = await api<ReplayWebhookResponse>('POST', `${base}/replay`, {
        since: new Date(since).toISOString(),
      });
      return `${queued} events queued again.`;
    });
  };
  return (
    <div class="deliveries">
      <select
        aria-label="Status"
        value={status}
        onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}
      >
        <option value="">All</option>
        <option value="pending">Pending</option>
        <option value="delivered">Delivered</option>
        <option value="failed">Failed</option>
      </select>{' '}
      <form class="inline" onSubmit={replay}>
        <label>
          Replay since{' '}
          <input
            type="datetime-local"
            value={since}
            onInput={(e) => setSince((e.target as HTMLInputElement).value)}
            required
          />
        </label>
        <button type="submit">Replay</button>
      </form>
      {note && <p>{note}</p>}
      <table>
        <thead>
          <tr>
            <th>Event</th>
            <th>Status</th>
            <th>Last attempt</th>
            <th>Answer</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => {
            const last = d.attempts[0];
            return (
              <tr key={d.id} data-testid="delivery-row">
                <td>
                  {d.eventType} <code>{d.eventId}</code>
                </td>
                <td>
                  {d.status} ({d.attemptCount} attempts
                  {d.nextAttemptAt ? `, next ${fmtTime(d.nextAttemptAt)}` : ''})
                </td>
                <td>{last ? `${fmtTime(last.at)}, ${last.durationMs} ms` : ''}</td>
                <td>
                  {last ? (last.httpStatus ?? last.error) : ''} <small>{last?.response.slice(0, 120)}</small>
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() =>
                      run(async () => {
                        await api('POST', `${base}/deliveries/${d.id}/retry`);
                        return '';
                      })
                    }
                  >
                    Retry
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
