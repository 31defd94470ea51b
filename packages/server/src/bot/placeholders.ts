/**
 * Placeholders in bot text (API.md): `{{user.name}}`, `{{user.first_name}}`,
 * `{{user.email}}`, `{{user.external_id}}`, `{{user.authenticated}}`, the same under
 * `requester.` so flows written for other products port unchanged, each with an
 * optional fallback: `{{user.first_name | "there"}}`.
 */
const FIELDS = ['name', 'first_name', 'email', 'external_id', 'authenticated'] as const;
type Field = (typeof FIELDS)[number];
const ANY = /\{\{([^}]*)\}\}/g;
const ONE = /^\s*(user|requester)\.([a-z_]+)\s*(?:\|\s*"([^"{}]*)"\s*)?$/;

export type PlaceholderValues = {
  name: string | null;
  email: string | null;
  externalId: string | null;
  authenticated: boolean;
};

/** The placeholders a text uses that do not exist, as written. Empty when the text can run. */
export function unknownPlaceholders(text: string): string[] {
  const bad: string[] = [];
  for (const match of text.matchAll(ANY)) {
    const parsed = ONE.exec(match[1]!);
    if (!parsed || !FIELDS.includes(parsed[2] as Field)) bad.push(match[0]);
  }
  return bad;
}

/**
 * Fills placeholders with plain text. Bot messages are text, never markup, and both
 * UIs render them as text nodes, so a name like `<script>` shows as written.
 */
export function renderPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(ANY, (whole, inner: string) => {
    const parsed = ONE.exec(inner);
    if (!parsed) return whole;
    const value = fieldValue(parsed[2] as Field, values);
    return value || (parsed[3] ?? '');
  });
}

function fieldValue(field: Field, values: PlaceholderValues): string {
  switch (field) {
    case 'name':
      return values.name ?? '';
    case 'first_name':
      return values.name?.trim().split(/\s+/)[0] ?? '';
    case 'email':
      return values.email ?? '';
    case 'external_id':
      return values.externalId ?? '';
    case 'authenticated':
      return values.authenticated ? 'true' : 'false';
  }
}
