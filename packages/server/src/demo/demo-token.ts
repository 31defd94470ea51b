import { SignJWT } from 'jose';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { findSigningKeyByName } from '../identity/signing-keys.repository.ts';
import { createSigningKey } from '../identity/signing-keys.ts';
import { findDemoCustomer } from './demo-customers.ts';

/** The signing key admins see in their key list; deleting it stops demo logins. */
export const DEMO_KEY_NAME = 'Demo shop';

export type DemoTokenRequest = { externalId: string; name?: string; email?: string; expiresIn?: number };

/**
 * At start, with the demo on: the "Demo shop" key, unless one is live. A key an admin
 * deleted is replaced at the next start, never by a request.
 */
export async function ensureDemoKey(ctx: AppContext): Promise<void> {
  if (await findSigningKeyByName(ctx.storage.db, DEMO_KEY_NAME)) return;
  await createSigningKey(ctx, DEMO_KEY_NAME);
}

/**
 * What a business backend does for its logged-in customer, done here for the demo
 * shop's own customers only: any other external id, or another email or name for a
 * demo customer, is refused (API.md). The secret is read back through the master key,
 * which a real backend never needs to do.
 */
export async function signDemoToken(ctx: AppContext, request: DemoTokenRequest): Promise<string> {
  const customer = findDemoCustomer(request.externalId);
  if (!customer) throw new AppError('not_a_demo_customer', 'not a demo customer', { field: 'externalId' });
  if (request.email !== undefined && request.email.trim().toLowerCase() !== customer.email)
    throw new AppError('not_a_demo_customer', "not this demo customer's email", { field: 'email' });
  if (request.name !== undefined && request.name !== customer.name)
    throw new AppError('not_a_demo_customer', "not this demo customer's name", { field: 'name' });
  const row = await findSigningKeyByName(ctx.storage.db, DEMO_KEY_NAME);
  if (!row)
    throw new AppError(
      'conflict',
      'the "Demo shop" signing key was deleted; restart the server to make a new one',
    );
  const secret = ctx.masterKey.decrypt(row.secret_sealed);
  const claims = {
    scope: 'user',
    external_id: customer.externalId,
    name: customer.name,
    email: customer.email,
    email_verified: true,
    tags: customer.tags,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: row.kid })
    .setIssuedAt()
    .setExpirationTime(Math.floor(ctx.now() / 1000) + (request.expiresIn ?? 3600))
    .sign(new TextEncoder().encode(secret));
}
