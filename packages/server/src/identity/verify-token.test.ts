import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ACCEPTED, BATTERY } from '../../test/token-battery.ts';
import { TokenRejected, verifyToken } from './verify-token.ts';

const key = { kid: `app_${randomBytes(12).toString('hex')}`, secret: randomBytes(32).toString('base64url') };
const lookup = async (kid: string) => (kid === key.kid ? key.secret : undefined);

async function reasonOf(token: string): Promise<{ reason: string; claim?: string | undefined }> {
  try {
    await verifyToken(token, lookup);
  } catch (error) {
    if (error instanceof TokenRejected) return { reason: error.reason, claim: error.claim };
    throw error;
  }
  return { reason: 'accepted' };
}

describe('verifyToken', () => {
  it('has a battery of at least 40 forged or malformed tokens', () => {
    expect(BATTERY.length).toBeGreaterThanOrEqual(40);
  });

  it.each(BATTERY)('rejects $name with $reason', async ({ token, reason, claim }) => {
    const result = await reasonOf(token(key));
    expect(result.reason).toBe(reason);
    if (claim) expect(result.claim).toBe(claim);
  });

  it.each(ACCEPTED)('accepts $name', async ({ token, externalId }) => {
    const claims = await verifyToken(token(key), lookup);
    expect(claims.externalId).toBe(externalId);
    expect(claims.kid).toBe(key.kid);
  });

  it('keeps the unverified external id of a token that fails its signature, for the auth log', async () => {
    const forged = BATTERY.find((c) => c.name === 'signature by another secret')!.token(key);
    const error = await verifyToken(forged, lookup).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRejected);
    expect((error as TokenRejected).hints).toMatchObject({
      kid: key.kid,
      externalId: 'battery-user',
      hadExp: true,
    });
  });

  it('takes the email as verified only when email_verified is literally true', async () => {
    const { forge } = await import('../../test/token-battery.ts');
    const verified = await verifyToken(
      forge(key, {
        payload: { scope: 'user', external_id: 'e', email: 'A@B.example', email_verified: true },
      }),
      lookup,
    );
    const unverified = await verifyToken(
      forge(key, { payload: { scope: 'user', external_id: 'e', email: 'A@B.example' } }),
      lookup,
    );
    expect([verified.emailVerified, unverified.emailVerified]).toEqual([true, false]);
  });
});
