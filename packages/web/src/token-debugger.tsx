import { REASON_EXPLANATIONS, type TokenInspection, type TokenReason } from '@signet/protocol';
import { useState } from 'preact/hooks';
import { api } from './api.ts';
import { fmtTime } from './ui.tsx';

/** What a failed auth-log row knows about its token: never the token itself. */
export type DebuggerPrefill = {
  reason: string;
  claim: string | null;
  kid: string | null;
  externalId: string | null;
};

// Handed from the auth log to the debugger in memory: nothing lands in the URL or storage.
let pending: DebuggerPrefill | null = null;

export function openTokenDebugger(prefill: DebuggerPrefill | null): void {
  pending = prefill;
  location.hash = '#/token-debugger';
}

const MARK = { pass: '✓', fail: '✗', skipped: 'skipped' } as const;

/**
 * The token debugger (admins): paste a JWT, read what is wrong with it and who it would log
 * in as. The token lives only in this component's state; it is sent once to be inspected.
 */
export function TokenDebugger() {
  const [prefill] = useState(() => {
    const taken = pending;
    pending = null;
    return taken;
  });
  const [jwt, setJwt] = useState('');
  const [report, setReport] = useState<TokenInspection | null>(null);
  const [error, setError] = useState('');

  const inspect = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      setReport(await api<TokenInspection>('POST', '/v1/tokens/inspect', { jwt: jwt.trim() }));
    } catch (e) {
      setReport(null);
      setError((e as Error).message);
    }
  };

  return (
    <section class="page token-debugger">
      <h1>Token debugger</h1>
      {prefill && <FromAuthLog prefill={prefill} />}
      <form onSubmit={inspect}>
        <label>
          {prefill ? 'Paste the token for the full report' : 'Paste a token (JWT)'}
          <textarea
            rows={4}
            spellcheck={false}
            autoComplete="off"
            value={jwt}
            onInput={(e) => setJwt((e.target as HTMLTextAreaElement).value)}
            required
          />
        </label>
        <p class="muted">The token is checked once and never stored. Nothing is written, no one logs in.</p>
        <button type="submit" disabled={!jwt.trim()}>
          Inspect
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report && <Report report={report} />}
    </section>
  );
}

function FromAuthLog({ prefill }: { prefill: DebuggerPrefill }) {
  const words = REASON_EXPLANATIONS[prefill.reason as TokenReason];
  return (
    <div class="prefill" data-testid="debugger-prefill">
      <p>
        A login failed with <code>{prefill.reason}</code>
        {prefill.claim && (
          <>
            {' '}
            on claim <code>{prefill.claim}</code>
          </>
        )}
        {prefill.kid && (
          <>
            , kid <code>{prefill.kid}</code>
          </>
        )}
        {prefill.externalId && <>, external id {prefill.externalId} (unverified)</>}.
      </p>
      {words && <p class="explanation">{words}</p>}
    </div>
  );
}

function Report({ report }: { report: TokenInspection }) {
  return (
    <div class="report" data-testid="token-report">
      <p class={`verdict ${report.valid ? 'ok' : 'fail'}`} data-testid="token-valid">
        {report.valid ? 'Valid' : `Invalid${report.reason ? `: ${report.reason}` : ''}`}
      </p>
      <p class="explanation" data-testid="token-explanation">
        {report.explanation}
      </p>
      <table class="checks">
        <caption>Checks, in the order a login makes them</caption>
        <tbody>
          {report.checks.map((check) => (
            <tr key={check.rule} data-result={check.result}>
              <td class={`mark ${check.result}`}>{MARK[check.result]}</td>
              <td>{check.rule}</td>
              <td class="muted">
                {check.reason ?? ''}
                {check.claim ? ` (${check.claim})` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.key && (
        <dl data-testid="token-key">
          <dt>Key</dt>
          <dd>
            <code>{report.key.kid}</code> — {report.key.state}
            {report.key.name && <>, "{report.key.name}"</>}
            {report.key.createdAt && <>, created {fmtTime(report.key.createdAt)}</>}
            {report.key.deletedAt && <>, deleted {fmtTime(report.key.deletedAt)}</>}
          </dd>
        </dl>
      )}
      {report.dryRun && (
        <dl data-testid="token-dry-run">
          <dt>A login now would</dt>
          <dd>
            {report.dryRun.resolution.replaceAll('_', ' ')}
            {report.dryRun.userId && <> (user {report.dryRun.userId})</>}; email:{' '}
            {report.dryRun.emailOutcome.replaceAll('_', ' ')}
            {report.dryRun.mergesUserId && <>; merges user {report.dryRun.mergesUserId}</>}
          </dd>
        </dl>
      )}
      <div class="decoded">
        <figure>
          <figcaption>Header</figcaption>
          <pre>{report.header ? JSON.stringify(report.header, null, 2) : 'not decodable'}</pre>
        </figure>
        <figure>
          <figcaption>Claims</figcaption>
          <pre>{report.claims ? JSON.stringify(report.claims, null, 2) : 'not decodable'}</pre>
        </figure>
      </div>
    </div>
  );
}
