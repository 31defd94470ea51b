import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from './api.ts';
import { openTokenDebugger } from './token-debugger.tsx';
import { fmtTime } from './ui.tsx';

type AuthEvent = {
  id: string;
  createdAt: string;
  outcome: string;
  claim: string | null;
  kid: string | null;
  externalId: string | null;
  externalIdVerified: boolean;
  userId: string | null;
  resolution: string | null;
  mergedAnonymous: boolean;
  emailOutcome: string | null;
  hadExp: boolean | null;
  ip: string | null;
};
type Stats = {
  window: string;
  buckets: { start: string; counts: Record<string, number> }[];
  totals: Record<string, number>;
};

/** Each reason code in words, for the person debugging an integration at 3 a.m. */
export const REASONS: Record<string, string> = {
  ok: 'Logged in',
  malformed: 'Not a well-formed JWT (three base64url parts of JSON, no repeated keys, no crit header)',
  token_too_large: 'Token longer than 8 KiB',
  alg_not_allowed: 'Signed with an algorithm other than HS256',
  missing_kid: 'No kid in the token header',
  unknown_kid: 'The kid names no live signing key (deleted, or from another environment)',
  bad_signature: 'Signature does not match the key: wrong secret, or the token was altered',
  expired: 'Token expired (exp is in the past, beyond 60 s of leeway)',
  not_yet_valid: 'Token not valid yet (nbf or iat in the future): check the server clock',
  bad_scope: 'scope is not exactly "user"',
  missing_external_id: 'No external_id claim',
  external_id_too_long: 'external_id longer than 255 characters',
  invalid_claim: 'A claim has the wrong type or shape',
};

const EMAIL_OUTCOMES: Record<string, string> = {
  attached: 'email attached (verified)',
  attached_unverified: 'email kept unverified',
  ignored_unverified: 'email ignored: email_verified was not true',
  conflict: 'email not attached: another user holds it',
  none: 'no email in token',
};

const COLORS: Record<string, string> = { ok: '#15803d' };
const PALETTE = ['#b91c1c', '#c2410c', '#a16207', '#7e22ce', '#0e7490', '#be185d', '#4d7c0f', '#1e40af'];

export function AuthLog() {
  const [filter, setFilter] = useState({ outcome: '', kid: '', externalId: '', userId: '' });
  const [events, setEvents] = useState<AuthEvent[]>([]);
  const [window, setWindow] = useState<'24h' | '7d'>('24h');
  const [stats, setStats] = useState<Stats | null>(null);
  useEffect(() => {
    const params = new URLSearchParams({ limit: '100' });
    for (const [key, value] of Object.entries(filter)) if (value.trim()) params.set(key, value.trim());
    void api<Page<AuthEvent>>('GET', `/v1/auth-events?${params}`).then((page) => setEvents(page.data));
  }, [filter]);
  useEffect(() => {
    void api<Stats>('GET', `/v1/auth-events/stats?window=${window}`).then(setStats);
  }, [window]);
  const field = (key: keyof typeof filter) => (e: Event) =>
    setFilter({ ...filter, [key]: (e.target as HTMLInputElement).value });

  return (
    <section class="page">
      <h1>Auth log</h1>
      {stats && <Chart stats={stats} window={window} onWindow={setWindow} />}
      <form class="inline filters" onSubmit={(e) => e.preventDefault()}>
        <select aria-label="Outcome" value={filter.outcome} onChange={field('outcome')}>
          <option value="">Any outcome</option>
          {Object.keys(REASONS).map((code) => (
            <option value={code}>{code}</option>
          ))}
        </select>
        <input aria-label="kid" placeholder="kid" value={filter.kid} onChange={field('kid')} />
        <input
          aria-label="External id"
          placeholder="external id"
          value={filter.externalId}
          onChange={field('externalId')}
        />
        <input aria-label="User id" placeholder="user id" value={filter.userId} onChange={field('userId')} />
      </form>
      <table class="log">
        <thead>
          <tr>
            <th>Time</th>
            <th>Outcome</th>
            <th>What happened</th>
            <th>External id</th>
            <th>kid</th>
            <th>IP</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} data-testid="auth-row" data-outcome={e.outcome}>
              <td>{fmtTime(e.createdAt)}</td>
              <td>
                <span class={`pill ${e.outcome === 'ok' ? 'ok' : 'fail'}`}>{e.outcome}</span>
              </td>
              <td>
                {REASONS[e.outcome] ?? e.outcome}
                {e.claim && ` (${e.claim})`}
                {e.outcome === 'ok' && (
                  <span class="muted">
                    {' '}
                    — {e.resolution?.replaceAll('_', ' ')}
                    {e.mergedAnonymous && ', anonymous history joined'}
                    {e.emailOutcome && `, ${EMAIL_OUTCOMES[e.emailOutcome] ?? e.emailOutcome}`}
                    {e.hadExp === false && ', token had no exp'}
                  </span>
                )}
                {e.outcome !== 'ok' && (
                  <>
                    {' '}
                    <button
                      type="button"
                      class="link"
                      onClick={() =>
                        openTokenDebugger({
                          reason: e.outcome,
                          claim: e.claim,
                          kid: e.kid,
                          externalId: e.externalId,
                        })
                      }
                    >
                      Explain
                    </button>
                  </>
                )}
              </td>
              <td>
                {e.externalId ?? '—'}
                {e.externalId && !e.externalIdVerified && <span class="muted"> (unverified)</span>}
              </td>
              <td>
                <code>{e.kid ?? '—'}</code>
              </td>
              <td>{e.ip ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Stacked bars per time bucket: successes in green, each failure reason its own colour. */
function Chart({
  stats,
  window,
  onWindow,
}: {
  stats: Stats;
  window: string;
  onWindow(w: '24h' | '7d'): void;
}) {
  const outcomes = Object.keys(stats.totals).sort((a, b) =>
    a === 'ok' ? -1 : b === 'ok' ? 1 : a.localeCompare(b),
  );
  const color = (outcome: string) =>
    COLORS[outcome] ?? PALETTE[(outcomes.indexOf(outcome) - 1 + PALETTE.length) % PALETTE.length];
  const max = Math.max(1, ...stats.buckets.map((b) => Object.values(b.counts).reduce((s, n) => s + n, 0)));
  const width = 720;
  const height = 160;
  const barWidth = width / stats.buckets.length;
  return (
    <figure class="chart" data-testid="auth-chart">
      <div class="chart-head">
        <figcaption>Login outcomes, last {window === '24h' ? '24 hours' : '7 days'}</figcaption>
        <div role="tablist" aria-label="Window">
          <button type="button" role="tab" aria-selected={window === '24h'} onClick={() => onWindow('24h')}>
            24 h
          </button>
          <button type="button" role="tab" aria-selected={window === '7d'} onClick={() => onWindow('7d')}>
            7 days
          </button>
        </div>
      </div>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label="Login outcomes over time"
        width="100%"
        height={height}
      >
        {stats.buckets.map((bucket, i) => {
          let y = height;
          return outcomes.map((outcome) => {
            const n = bucket.counts[outcome] ?? 0;
            if (!n) return null;
            const h = (n / max) * (height - 10);
            y -= h;
            return (
              <rect
                x={i * barWidth + 1}
                y={y}
                width={Math.max(1, barWidth - 2)}
                height={h}
                fill={color(outcome)}
              >
                <title>{`${fmtTime(bucket.start)}: ${n} ${outcome}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      <ul class="legend">
        {outcomes.map((outcome) => (
          <li key={outcome} data-testid="legend-item" data-outcome={outcome}>
            <span class="swatch" style={{ background: color(outcome) }} /> {outcome}: {stats.totals[outcome]}
          </li>
        ))}
        {outcomes.length === 0 && <li>No login attempts in this window.</li>}
      </ul>
    </figure>
  );
}
