import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from './api.ts';
import { SNIPPET_COPIED } from './getting-started.tsx';

type Key = { kid: string; name: string };
type Language = 'node' | 'python' | 'ruby' | 'go';
const LANGUAGES: Record<Language, string> = { node: 'Node', python: 'Python', ruby: 'Ruby', go: 'Go' };

export function hostSnippet(origin: string): string {
  return `<script>window.Signet=window.Signet||function(){(Signet.q=Signet.q||[]).push(arguments)};</script>
<script src="${origin}/widget.js" async></script>
<script>
  // When your customer is logged in: hand the messenger a token from your backend.
  Signet('messenger', 'loginUser', (callback) => fetch('/signet-token').then((r) => r.text()).then(callback));
  // On your logout:
  // Signet('messenger', 'logoutUser');
</script>`;
}

/** A token endpoint that signs for the logged-in customer; the secret comes from the environment. */
export function tokenEndpoint(language: Language, kid: string): string {
  switch (language) {
    case 'node':
      return `// npm install @signet/node — GET /signet-token answers the logged-in customer's token
import { signUserToken } from '@signet/node';

const key = { kid: '${kid}', secret: process.env.SIGNET_SECRET };

app.get('/signet-token', async (req, res) => {
  const customer = req.user; // your logged-in customer; nobody when logged out
  if (!customer) return res.sendStatus(401);
  const token = await signUserToken(
    key,
    { external_id: customer.id, name: customer.name, email: customer.email, email_verified: true },
    { expiresIn: '10m' },
  );
  res.set('cache-control', 'no-store').type('text/plain').send(token);
});`;
    case 'python':
      return `# pip install PyJWT — GET /signet-token answers the logged-in customer's token
import os, time, jwt

KID = "${kid}"
SECRET = os.environ["SIGNET_SECRET"]  # the string exactly as shown: its UTF-8 bytes are the key

def signet_token(customer):
    now = int(time.time())
    claims = {"scope": "user", "external_id": str(customer.id), "name": customer.name,
              "email": customer.email, "email_verified": True, "iat": now, "exp": now + 600}
    return jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": KID})`;
    case 'ruby':
      return `# gem install jwt — GET /signet-token answers the logged-in customer's token
require 'jwt'

KID = '${kid}'
SECRET = ENV.fetch('SIGNET_SECRET') # the string exactly as shown: its UTF-8 bytes are the key

def signet_token(customer)
  now = Time.now.to_i
  claims = { scope: 'user', external_id: customer.id.to_s, name: customer.name,
             email: customer.email, email_verified: true, iat: now, exp: now + 600 }
  JWT.encode(claims, SECRET, 'HS256', { kid: KID })
end`;
    case 'go':
      return `// go get github.com/golang-jwt/jwt/v5 — GET /signet-token answers the logged-in customer's token
const kid = "${kid}"

var secret = os.Getenv("SIGNET_SECRET") // the string exactly as shown: its UTF-8 bytes are the key

func signetToken(c Customer) (string, error) {
	now := time.Now()
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"scope": "user", "external_id": c.ID, "name": c.Name,
		"email": c.Email, "email_verified": true,
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	})
	token.Header["kid"] = kid
	return token.SignedString([]byte(secret))
}`;
  }
}

/** The snippet generator: this server's URL and the chosen key's kid filled in, never the secret. */
export function Snippet() {
  const [keys, setKeys] = useState<Key[]>([]);
  const [kid, setKid] = useState('');
  const [language, setLanguage] = useState<Language>('node');
  const [origins, setOrigins] = useState<string[] | null>(null);
  const [copied, setCopied] = useState('');
  useEffect(() => {
    void api<Page<Key>>('GET', '/v1/signing-keys').then((page) => {
      setKeys(page.data);
      setKid((current) => current || page.data.at(-1)?.kid || '');
    });
    void api<{ allowedOrigins: string[] }>('GET', '/v1/settings').then((s) => setOrigins(s.allowedOrigins));
  }, []);
  const copy = async (what: string, text: string) => {
    await navigator.clipboard?.writeText(text).catch(() => {});
    localStorage.setItem(SNIPPET_COPIED, '1');
    setCopied(what);
  };
  const html = hostSnippet(location.origin);
  const endpoint = kid ? tokenEndpoint(language, kid) : '';
  return (
    <section class="page snippet">
      <h1>Messenger snippet</h1>
      {keys.length === 0 ? (
        <p>
          First <a href="#/keys">create a signing key</a>: your backend signs each customer's token with it.
        </p>
      ) : (
        <label>
          Signing key{' '}
          <select value={kid} onChange={(e) => setKid((e.target as HTMLSelectElement).value)}>
            {keys.map((k) => (
              <option key={k.kid} value={k.kid}>
                {k.name} ({k.kid})
              </option>
            ))}
          </select>
        </label>
      )}
      <h2>1. On every page of your site</h2>
      <pre data-testid="host-snippet">{html}</pre>
      <button type="button" onClick={() => copy('html', html)}>
        {copied === 'html' ? 'Copied' : 'Copy'}
      </button>
      {kid && (
        <>
          <h2>2. A token endpoint in your backend</h2>
          <div role="tablist" aria-label="Language">
            {(Object.keys(LANGUAGES) as Language[]).map((l) => (
              <button type="button" role="tab" aria-selected={language === l} onClick={() => setLanguage(l)}>
                {LANGUAGES[l]}
              </button>
            ))}
          </div>
          <pre data-testid="token-endpoint">{endpoint}</pre>
          <button type="button" onClick={() => copy('endpoint', endpoint)}>
            {copied === 'endpoint' ? 'Copied' : 'Copy'}
          </button>
          <p class="muted">
            Put the key's secret in SIGNET_SECRET on your server: it was shown once when the key was created
            and is never shown here.
          </p>
        </>
      )}
      <h2>3. Allowed origins</h2>
      <p data-testid="allowed-origins">
        The messenger is accepted from: <code>{origins ? origins.join(', ') : '…'}</code>.{' '}
        {origins?.includes('*') && 'Any site may embed it; list your own origins to narrow that. '}
        <a href="#/settings">Change in Settings</a>
      </p>
    </section>
  );
}
