import { signUserToken, type UserClaims, UserTokenError } from '@signet/node';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DATABASES,
  signUserToken as signUnchecked,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';

/**
 * Tokens from @signet/node log in to a real Signet as the right user, and every claim
 * the server would refuse is refused here first, naming the claim.
 */
describe.each(DATABASES)('signUserToken against Signet on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };
  const login = (jwt: string) => server.request('POST', '/v1/client/login', { body: { jwt } });

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
  });
  afterAll(() => server.close());

  it('logs in as the user it names, with the profile it carries', async () => {
    const externalId = uniqueExternalId('node');
    const email = `${externalId}@shop.example`;
    const jwt = await signUserToken(key, {
      external_id: externalId,
      name: 'Ada Lovelace',
      email,
      email_verified: true,
      tags: ['VIP', 'plan:pro', 'vip'],
    });
    const answer = await login(jwt);
    expect(answer.statusCode).toBe(200);
    const { user, authenticated } = answer.json();
    expect(authenticated).toBe(true);
    expect(user).toMatchObject({ externalId, name: 'Ada Lovelace', email, tags: ['vip', 'plan:pro'] });
    expect(user.identities).toContainEqual(
      expect.objectContaining({ type: 'email', value: email, verified: true, source: 'jwt' }),
    );

    // The same customer again is the same Signet user.
    const again = await login(await signUserToken(key, { external_id: externalId }));
    expect(again.json().user.id).toBe(user.id);
  });

  it('signs HS256 with the kid header, scope "user", iat and the lifetime asked for', async () => {
    const before = Math.floor(Date.now() / 1000);
    const jwt = await signUserToken(key, { external_id: 'lifetime' }, { expiresIn: '1h' });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'HS256', typ: 'JWT', kid: key.kid });
    const claims = decodeJwt(jwt);
    expect(claims.scope).toBe('user');
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp! - claims.iat!).toBe(3600);
    const byDefault = decodeJwt(await signUserToken(key, { external_id: 'lifetime' }));
    expect(byDefault.exp! - byDefault.iat!).toBe(600);
    expect(
      decodeJwt(await signUserToken(key, { external_id: 'x' }, { expiresIn: 90 })).exp,
    ).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 90);
  });

  it('keeps integer ids exact: a safe integer, and a bigint beyond 2^53', async () => {
    const small = await login(await signUserToken(key, { external_id: 424242 }));
    expect(small.json().user.externalId).toBe('424242');
    const big = await login(await signUserToken(key, { external_id: 9007199254740993n }));
    expect(big.json().user.externalId).toBe('9007199254740993');
  });

  it('accepts every limit at its edge, and so does the server', async () => {
    const jwt = await signUserToken(key, {
      external_id: '😀'.repeat(255),
      name: 'é'.repeat(255),
      email: `${'a'.repeat(241)}@shop.example`,
      tags: Array.from({ length: 50 }, (_, i) => `${i}`.padStart(64, 't')),
    });
    const answer = await login(jwt);
    expect(answer.statusCode).toBe(200);
    expect(answer.json().user.tags).toHaveLength(50);
  });

  it('treats null optional claims as absent (a customer without a name or email)', async () => {
    const externalId = uniqueExternalId('nulls');
    const jwt = await signUserToken(key, {
      external_id: externalId,
      name: null,
      email: null,
      email_verified: null,
    });
    expect(decodeJwt(jwt)).not.toHaveProperty('name');
    expect((await login(jwt)).json().user).toMatchObject({ externalId, name: null, email: null });
  });

  // Each row: claims Signet refuses, the claim our error names, and the server's reason for the same claims.
  const refused: [string, Record<string, unknown>, string, string][] = [
    ['no external_id', {}, 'external_id', 'missing_external_id'],
    ['an empty external_id', { external_id: '' }, 'external_id', 'missing_external_id'],
    ['a 256-character external_id', { external_id: 'x'.repeat(256) }, 'external_id', 'external_id_too_long'],
    ['a fractional external_id', { external_id: 1.5 }, 'external_id', 'invalid_claim'],
    ['a boolean external_id', { external_id: true }, 'external_id', 'invalid_claim'],
    ['another scope', { external_id: 'a', scope: 'admin' }, 'scope', 'bad_scope'],
    ['a 256-character name', { external_id: 'a', name: 'n'.repeat(256) }, 'name', 'invalid_claim'],
    ['a number as name', { external_id: 'a', name: 42 }, 'name', 'invalid_claim'],
    ['an email without @', { external_id: 'a', email: 'ada.example.com' }, 'email', 'invalid_claim'],
    [
      'an email with a space',
      { external_id: 'a', email: 'ada lovelace@x.example' },
      'email',
      'invalid_claim',
    ],
    [
      'a 255-character email',
      { external_id: 'a', email: `${'a'.repeat(242)}@shop.example` },
      'email',
      'invalid_claim',
    ],
    [
      'email_verified as a string',
      { external_id: 'a', email_verified: 'true' },
      'email_verified',
      'invalid_claim',
    ],
    [
      '51 tags',
      { external_id: 'a', tags: Array.from({ length: 51 }, (_, i) => `t${i}`) },
      'tags',
      'invalid_claim',
    ],
    ['a tag with a space', { external_id: 'a', tags: ['gold member'] }, 'tags', 'invalid_claim'],
    ['a 65-character tag', { external_id: 'a', tags: ['t'.repeat(65)] }, 'tags', 'invalid_claim'],
    ['an empty tag', { external_id: 'a', tags: [''] }, 'tags', 'invalid_claim'],
    ['tags as a string', { external_id: 'a', tags: 'vip' }, 'tags', 'invalid_claim'],
  ];

  it.each(refused)('refuses %s before signing, as the server would', async (_, claims, claim, reason) => {
    const error = await signUserToken(key, claims as UserClaims).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserTokenError);
    expect((error as UserTokenError).claim).toBe(claim);
    expect((error as UserTokenError).message).toMatch(new RegExp(`^${claim}: `));

    // The same claims signed without the checks: Signet refuses them for the same claim.
    const answer = await login(await signUnchecked(key, claims));
    expect(answer.statusCode).toBe(401);
    expect(answer.json().error.reason).toBe(reason);
  });
});

describe('signUserToken refuses what cannot make a good token', () => {
  const key = { kid: `app_${'ab12'.repeat(6)}`, secret: 's'.repeat(43) };
  const refusal = (promise: Promise<string>) =>
    promise.then(
      () => undefined,
      (error: UserTokenError) => [error.claim, error.message],
    );

  it.each([
    ['kid', { ...key, kid: 'my-key' }],
    ['kid', { ...key, kid: `app_${'AB12'.repeat(6)}` }],
    ['secret', { ...key, secret: '' }],
    ['secret', { ...key, secret: `${key.secret}\n` }],
    ['secret', { ...key, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
  ])('a bad %s', async (claim, badKey) => {
    expect((await refusal(signUserToken(badKey, { external_id: 'a' })))?.[0]).toBe(claim);
  });

  it.each([0, -5, 1.5, 'ten minutes', '10y', Number.NaN])('expiresIn %s', async (expiresIn) => {
    expect((await refusal(signUserToken(key, { external_id: 'a' }, { expiresIn })))?.[0]).toBe('expiresIn');
  });

  it.each([
    ['emailVerified', { external_id: 'a', emailVerified: true }],
    ['exp', { external_id: 'a', exp: 1 }],
    ['external_id', { external_id: 2 ** 53 }],
  ])('a claim that would be ignored or rounded: %s', async (claim, claims) => {
    const [named, message] = (await refusal(signUserToken(key, claims as UserClaims)))!;
    expect(named).toBe(claim);
    expect(message).toContain(claim);
  });

  it('a token over the 8 KiB Signet accepts', async () => {
    // Control characters are escaped six bytes each in JSON: within every limit, over the size.
    const claims = {
      external_id: '\u0001'.repeat(255),
      name: '\u0001'.repeat(255),
      email: `${'a'.repeat(240)}@shop.example`,
      tags: Array.from({ length: 50 }, (_, i) => `${i}`.padStart(64, 't')),
    };
    expect((await refusal(signUserToken(key, claims)))?.[0]).toBe('claims');
  });
});
