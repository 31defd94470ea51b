import { createHmac, randomBytes } from 'node:crypto';

/** Builds tokens byte by byte, so a test can forge what no JWT library would produce. */
export type Key = { kid: string; secret: string };

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const mac = (secret: string, input: string, algorithm = 'sha256') =>
  createHmac(algorithm, Buffer.from(secret, 'utf8')).update(input).digest('base64url');

export function forge(
  key: Key,
  { header, payload, algorithm = 'sha256' }: { header?: unknown; payload?: unknown; algorithm?: string },
): string {
  const h = typeof header === 'string' ? header : b64(header ?? { alg: 'HS256', typ: 'JWT', kid: key.kid });
  const p = typeof payload === 'string' ? payload : b64(payload);
  return `${h}.${p}.${mac(key.secret, `${h}.${p}`, algorithm)}`;
}

const now = () => Math.floor(Date.now() / 1000);
const base = (extra: Record<string, unknown> = {}) => ({
  scope: 'user',
  external_id: 'battery-user',
  iat: now(),
  exp: now() + 600,
  ...extra,
});
const withHeader = (key: Key, header: Record<string, unknown>) => forge(key, { header, payload: base() });
const resign = (_key: Key, token: string, signature: string) =>
  `${token.split('.').slice(0, 2).join('.')}.${signature}`;

export type BatteryCase = {
  name: string;
  token: (key: Key) => string;
  reason: string;
  claim?: string;
};

/** IDENTITY.md §2: every case fails with exactly this reason code. */
export const BATTERY: BatteryCase[] = [
  // Algorithms
  {
    name: 'alg none with empty signature',
    reason: 'alg_not_allowed',
    token: (k) => `${b64({ alg: 'none', kid: k.kid })}.${b64(base())}.`,
  },
  {
    name: 'alg None',
    reason: 'alg_not_allowed',
    token: (k) => `${b64({ alg: 'None', kid: k.kid })}.${b64(base())}.`,
  },
  {
    name: 'alg NONE signed',
    reason: 'alg_not_allowed',
    token: (k) => withHeader(k, { alg: 'NONE', kid: k.kid }),
  },
  {
    name: 'alg HS384 with the secret',
    reason: 'alg_not_allowed',
    token: (k) => forge(k, { header: { alg: 'HS384', kid: k.kid }, payload: base(), algorithm: 'sha384' }),
  },
  {
    name: 'alg HS512 with the secret',
    reason: 'alg_not_allowed',
    token: (k) => forge(k, { header: { alg: 'HS512', kid: k.kid }, payload: base(), algorithm: 'sha512' }),
  },
  {
    name: 'alg RS256 with the secret as HMAC key',
    reason: 'alg_not_allowed',
    token: (k) => withHeader(k, { alg: 'RS256', kid: k.kid }),
  },
  { name: 'alg ES256', reason: 'alg_not_allowed', token: (k) => withHeader(k, { alg: 'ES256', kid: k.kid }) },
  { name: 'alg PS256', reason: 'alg_not_allowed', token: (k) => withHeader(k, { alg: 'PS256', kid: k.kid }) },
  {
    name: 'alg lowercase hs256',
    reason: 'alg_not_allowed',
    token: (k) => withHeader(k, { alg: 'hs256', kid: k.kid }),
  },
  { name: 'alg missing', reason: 'alg_not_allowed', token: (k) => withHeader(k, { kid: k.kid }) },
  {
    name: 'alg as array',
    reason: 'alg_not_allowed',
    token: (k) => withHeader(k, { alg: ['HS256'], kid: k.kid }),
  },
  // Key ids
  { name: 'kid missing', reason: 'missing_kid', token: (k) => withHeader(k, { alg: 'HS256', typ: 'JWT' }) },
  { name: 'kid empty', reason: 'missing_kid', token: (k) => withHeader(k, { alg: 'HS256', kid: '' }) },
  { name: 'kid a number', reason: 'missing_kid', token: (k) => withHeader(k, { alg: 'HS256', kid: 12345 }) },
  {
    name: 'kid unknown',
    reason: 'unknown_kid',
    token: (k) => withHeader(k, { alg: 'HS256', kid: `app_${randomBytes(12).toString('hex')}` }),
  },
  {
    name: 'kid with SQL injected',
    reason: 'unknown_kid',
    token: (k) => withHeader(k, { alg: 'HS256', kid: `${k.kid}' OR '1'='1` }),
  },
  {
    name: 'kid path traversal',
    reason: 'unknown_kid',
    token: (k) => withHeader(k, { alg: 'HS256', kid: '../../../../dev/null' }),
  },
  {
    name: 'kid in upper case',
    reason: 'unknown_kid',
    token: (k) => withHeader(k, { alg: 'HS256', kid: k.kid.toUpperCase() }),
  },
  {
    name: 'kid with trailing space',
    reason: 'unknown_kid',
    token: (k) => withHeader(k, { alg: 'HS256', kid: `${k.kid} ` }),
  },
  // Signatures
  {
    name: 'signature stripped',
    reason: 'bad_signature',
    token: (k) => resign(k, forge(k, { payload: base() }), ''),
  },
  {
    name: 'signature truncated',
    reason: 'bad_signature',
    token: (k) => forge(k, { payload: base() }).slice(0, -1),
  },
  {
    name: 'signature padded with =',
    reason: 'bad_signature',
    token: (k) => `${forge(k, { payload: base() })}=`,
  },
  {
    name: 'signature with altered unused bits',
    reason: 'bad_signature',
    token: (k) => {
      const token = forge(k, { payload: base() });
      const last = token.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      // The final char of 43 carries 4 data bits and 2 unused ones; flip an unused bit.
      return token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    },
  },
  {
    name: 'signature in standard base64 (+)',
    reason: 'bad_signature',
    token: (k) => {
      const t = forge(k, { payload: base() });
      return `${t.slice(0, -43)}+${t.slice(-42)}`;
    },
  },
  {
    name: 'signature in standard base64 (/)',
    reason: 'bad_signature',
    token: (k) => {
      const t = forge(k, { payload: base() });
      return `${t.slice(0, -43)}/${t.slice(-42)}`;
    },
  },
  {
    name: 'signature by another secret',
    reason: 'bad_signature',
    token: (k) => forge({ kid: k.kid, secret: `${k.secret}x` }, { payload: base() }),
  },
  {
    name: 'payload swapped after signing',
    reason: 'bad_signature',
    token: (k) => {
      const [h, , s] = forge(k, { payload: base() }).split('.');
      return `${h}.${b64(base({ external_id: 'someone-else' }))}.${s}`;
    },
  },
  {
    name: 'signature not base64url at all',
    reason: 'malformed',
    token: (k) => resign(k, forge(k, { payload: base() }), 'not*a*signature!'),
  },
  // Structure
  {
    name: 'two segments',
    reason: 'malformed',
    token: (k) => forge(k, { payload: base() }).split('.').slice(0, 2).join('.'),
  },
  { name: 'four segments', reason: 'malformed', token: (k) => `${forge(k, { payload: base() })}.extra` },
  { name: 'empty string', reason: 'malformed', token: () => '' },
  { name: 'one opaque segment', reason: 'malformed', token: () => 'eyJhbGciOiJIUzI1NiJ9' },
  {
    name: 'header not JSON',
    reason: 'malformed',
    token: (k) => forge(k, { header: b64('{alg:HS256'), payload: base() }),
  },
  {
    name: 'header a JSON array',
    reason: 'malformed',
    token: (k) => forge(k, { header: b64(['HS256']), payload: base() }),
  },
  {
    name: 'header with = padding',
    reason: 'malformed',
    token: (k) => forge(k, { header: `${b64({ alg: 'HS256', kid: k.kid })}==`, payload: base() }),
  },
  { name: 'payload not JSON', reason: 'malformed', token: (k) => forge(k, { payload: b64('scope=user') }) },
  { name: 'payload a JSON string', reason: 'malformed', token: (k) => forge(k, { payload: b64('"user"') }) },
  {
    name: 'payload with duplicate external_id',
    reason: 'malformed',
    token: (k) => forge(k, { payload: b64(`{"scope":"user","external_id":"a","external_id":"b"}`) }),
  },
  {
    name: 'header with duplicate alg',
    reason: 'malformed',
    token: (k) => forge(k, { header: b64(`{"alg":"none","alg":"HS256","kid":"${k.kid}"}`), payload: base() }),
  },
  {
    name: 'crit header',
    reason: 'malformed',
    token: (k) => withHeader(k, { alg: 'HS256', kid: k.kid, crit: ['exp'], exp: 1 }),
  },
  {
    name: 'typ other than JWT',
    reason: 'malformed',
    token: (k) => withHeader(k, { alg: 'HS256', kid: k.kid, typ: 'at+jwt' }),
  },
  {
    name: 'typ not a string',
    reason: 'malformed',
    token: (k) => withHeader(k, { alg: 'HS256', kid: k.kid, typ: 1 }),
  },
  // Time
  { name: 'expired', reason: 'expired', token: (k) => forge(k, { payload: base({ exp: now() - 120 }) }) },
  {
    name: 'expired long ago',
    reason: 'expired',
    token: (k) => forge(k, { payload: base({ iat: 1, exp: 2 }) }),
  },
  {
    name: 'nbf in the future',
    reason: 'not_yet_valid',
    token: (k) => forge(k, { payload: base({ nbf: now() + 120 }) }),
  },
  {
    name: 'iat in the future',
    reason: 'not_yet_valid',
    token: (k) => forge(k, { payload: base({ iat: now() + 3600 }) }),
  },
  {
    name: 'exp a string',
    reason: 'invalid_claim',
    claim: 'exp',
    token: (k) => forge(k, { payload: base({ exp: String(now() + 60) }) }),
  },
  {
    name: 'iat a string',
    reason: 'invalid_claim',
    claim: 'iat',
    token: (k) => forge(k, { payload: base({ iat: 'now' }) }),
  },
  // Scope
  {
    name: 'scope missing',
    reason: 'bad_scope',
    token: (k) => forge(k, { payload: { external_id: 'x', exp: now() + 60 } }),
  },
  { name: 'scope User', reason: 'bad_scope', token: (k) => forge(k, { payload: base({ scope: 'User' }) }) },
  {
    name: 'scope with trailing space',
    reason: 'bad_scope',
    token: (k) => forge(k, { payload: base({ scope: 'user ' }) }),
  },
  {
    name: 'scope as array',
    reason: 'bad_scope',
    token: (k) => forge(k, { payload: base({ scope: ['user'] }) }),
  },
  { name: 'scope admin', reason: 'bad_scope', token: (k) => forge(k, { payload: base({ scope: 'admin' }) }) },
  // External id
  {
    name: 'external_id missing',
    reason: 'missing_external_id',
    token: (k) => forge(k, { payload: { scope: 'user' } }),
  },
  {
    name: 'external_id empty',
    reason: 'missing_external_id',
    token: (k) => forge(k, { payload: base({ external_id: '' }) }),
  },
  {
    name: 'external_id null',
    reason: 'missing_external_id',
    token: (k) => forge(k, { payload: base({ external_id: null }) }),
  },
  {
    name: 'external_id of 256 chars',
    reason: 'external_id_too_long',
    token: (k) => forge(k, { payload: base({ external_id: 'x'.repeat(256) }) }),
  },
  {
    name: 'external_id an object',
    reason: 'invalid_claim',
    claim: 'external_id',
    token: (k) => forge(k, { payload: base({ external_id: { id: 1 } }) }),
  },
  {
    name: 'external_id a boolean',
    reason: 'invalid_claim',
    claim: 'external_id',
    token: (k) => forge(k, { payload: base({ external_id: true }) }),
  },
  // Profile claims
  {
    name: 'email_verified "true"',
    reason: 'invalid_claim',
    claim: 'email_verified',
    token: (k) => forge(k, { payload: base({ email: 'a@b.example', email_verified: 'true' }) }),
  },
  {
    name: 'email not an address',
    reason: 'invalid_claim',
    claim: 'email',
    token: (k) => forge(k, { payload: base({ email: 'not-an-email' }) }),
  },
  {
    name: 'email over 254 chars',
    reason: 'invalid_claim',
    claim: 'email',
    token: (k) => forge(k, { payload: base({ email: `${'a'.repeat(250)}@b.example` }) }),
  },
  {
    name: 'name over 255 chars',
    reason: 'invalid_claim',
    claim: 'name',
    token: (k) => forge(k, { payload: base({ name: 'n'.repeat(256) }) }),
  },
  {
    name: 'name a number',
    reason: 'invalid_claim',
    claim: 'name',
    token: (k) => forge(k, { payload: base({ name: 42 }) }),
  },
  // Size
  {
    name: 'token of 1 MB',
    reason: 'token_too_large',
    token: (k) => forge(k, { payload: base({ pad: 'x'.repeat(1024 * 1024) }) }),
  },
  {
    name: 'token one byte over 8 KiB',
    reason: 'token_too_large',
    token: (k) => {
      const t = forge(k, { payload: base({ pad: '' }) });
      return forge(k, { payload: base({ pad: 'x'.repeat(Math.ceil(((8193 - t.length) * 3) / 4) + 2) }) });
    },
  },
];

/** Tokens that must pass, with the external id each resolves to. */
export const ACCEPTED: { name: string; token: (key: Key) => string; externalId: string }[] = [
  { name: 'plain', externalId: 'battery-user', token: (k) => forge(k, { payload: base() }) },
  {
    name: 'numeric external_id',
    externalId: '12345',
    token: (k) => forge(k, { payload: base({ external_id: 12345 }) }),
  },
  {
    name: 'external_id kept untrimmed',
    externalId: ' spaced ',
    token: (k) => forge(k, { payload: base({ external_id: ' spaced ' }) }),
  },
  {
    name: 'external_id of 255 chars',
    externalId: 'y'.repeat(255),
    token: (k) => forge(k, { payload: base({ external_id: 'y'.repeat(255) }) }),
  },
  {
    name: 'no exp, no typ',
    externalId: 'battery-user',
    token: (k) =>
      forge(k, {
        header: { alg: 'HS256', kid: k.kid },
        payload: { scope: 'user', external_id: 'battery-user' },
      }),
  },
  {
    name: 'typ in lower case',
    externalId: 'battery-user',
    token: (k) => withHeader(k, { alg: 'HS256', kid: k.kid, typ: 'jwt' }),
  },
  {
    name: 'expired within the 60 s leeway',
    externalId: 'battery-user',
    token: (k) => forge(k, { payload: base({ exp: now() - 30 }) }),
  },
  {
    name: 'iat slightly ahead (clock skew)',
    externalId: 'battery-user',
    token: (k) => forge(k, { payload: base({ iat: now() + 30 }) }),
  },
  {
    name: 'unknown claims ignored',
    externalId: 'battery-user',
    token: (k) => forge(k, { payload: base({ roles: ['x'], nested: { a: 1 } }) }),
  },
];
