import type { ComponentChildren } from 'preact';
/** The "authenticated" badge: shown only after a JWT login (IDENTITY.md §4), never for an external id alone. */
export function Badge() {
  return (
    <span
      class="badge"
      role="img"
      aria-label="Authenticated"
      title="Authenticated by your backend"
      data-testid="auth-badge"
    >
      ✓ verified
    </span>
  );
}

export function fmtTime(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A secret the server shows once (a signing key's, a webhook endpoint's): copy it, then done. */
export function SecretOnce({
  text,
  children,
  onDone,
}: {
  text: string;
  children?: ComponentChildren;
  onDone(): void;
}) {
  return (
    <div class="secret" role="alert" data-testid="new-secret">
      <p>
        <strong>Copy this secret now. It will not be shown again.</strong> {children}
      </p>
      <code data-testid="secret-value">{text}</code>{' '}
      <button type="button" onClick={() => navigator.clipboard?.writeText(text)}>
        Copy
      </button>{' '}
      <button type="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
