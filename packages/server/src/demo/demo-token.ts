import { SignJWT } from 'jose';
import type { AppContext } from '../context.ts';
import { findSigningKeyByName } from '../identity/signing-keys.repository.ts';
import { createSigningKey } from '../identity/signing-keys.ts';

export const DEMO_KEY_NAME = 'Demo shop (SIGNET_DEMO=1)';

export type DemoCustomer = { externalId: string; name?: string; email?: string; expiresIn?: number };

/**
 * What a business backend does for its logged-in customer, done here for the demo
 * shop only: sign a token with a signing key made for the demo. Its secret is read
 * back through the master key, which a real backend never needs to do.
 */
export async function signDemoToken(ctx: AppContext, customer: DemoCustomer): Promise<string> {
  let row = await findSigningKeyByName(ctx.storage.db, DEMO_KEY_NAME);
  if (!row) {
    await createSigningKey(ctx, DEMO_KEY_NAME);
    row = (await findSigningKeyByName(ctx.storage.db, DEMO_KEY_NAME))!;
  }
  const secret = ctx.masterKey.decrypt(row.secret_sealed);
  const claims: Record<string, unknown> = { scope: 'user', external_id: customer.externalId };
  if (customer.name) claims.name = customer.name;
  if (customer.email) {
    claims.email = customer.email;
    claims.email_verified = true;
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: row.kid })
    .setIssuedAt()
    .setExpirationTime(Math.floor(ctx.now() / 1000) + (customer.expiresIn ?? 3600))
    .sign(new TextEncoder().encode(secret));
}
