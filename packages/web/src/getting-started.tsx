import type { Onboarding } from '@signet/protocol';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';

const DISMISSED = 'signet.gettingStarted.dismissed';
export const SNIPPET_COPIED = 'signet.gettingStarted.snippetCopied';

/**
 * Getting started, for admins: each step ticks from what the server has stored (a key, a
 * login with it, an authenticated message); only "snippet copied" is this browser's click.
 */
export function GettingStarted() {
  const [state, setState] = useState<Onboarding | null>(null);
  const [dismissed, setDismissed] = useState(() => localStorage.getItem(DISMISSED) === '1');
  useEffect(() => {
    if (!dismissed) void api<Onboarding>('GET', '/v1/onboarding').then(setState, () => {});
  }, [dismissed]);
  if (dismissed || !state) return null;
  // A login with the key shows the snippet is in place, whichever browser copied it.
  const copied = state.login || localStorage.getItem(SNIPPET_COPIED) === '1';
  const steps = [
    { done: state.signingKey, text: 'Create a signing key', href: '#/keys' },
    { done: copied, text: 'Copy the messenger snippet and token endpoint', href: '#/snippet' },
    // A token that logs in is the proof the signing works; the debugger says why one does not.
    {
      done: state.login,
      text: 'Sign a test token (npm run signet -- token sign …) and try it in the token debugger',
      href: '#/token-debugger',
    },
    { done: state.login, text: 'A customer logs in with your key', href: '#/auth-log' },
    {
      done: state.authenticatedMessage,
      text: 'A conversation with an authenticated message',
      href: '#/inbox',
    },
  ];
  if (steps.every((s) => s.done)) return null;
  return (
    <section class="getting-started" aria-label="Getting started" data-testid="getting-started">
      <strong>Getting started</strong>
      <ol>
        {steps.map((step) => (
          <li key={step.text} data-done={step.done ? 'yes' : 'no'}>
            <span class="tick" role="img" aria-label={step.done ? 'done' : 'to do'}>
              {step.done ? '✓' : '○'}
            </span>{' '}
            <a href={step.href}>{step.text}</a>
          </li>
        ))}
      </ol>
      {state.demo && !state.authenticatedMessage && (
        <p data-testid="demo-hint">
          Quickest way to see a verified login: <a href="/demo">open the demo shop</a>, log in as a demo
          customer and write; the conversation shows up in the inbox with its check mark.
        </p>
      )}
      <button
        type="button"
        onClick={() => {
          localStorage.setItem(DISMISSED, '1');
          setDismissed(true);
        }}
      >
        Dismiss
      </button>
    </section>
  );
}
