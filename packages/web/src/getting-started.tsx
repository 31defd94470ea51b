import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';

type Onboarding = { signingKey: boolean; login: boolean; authenticatedMessage: boolean };

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
