import type { AppContext } from '../context.ts';
import type { ApiTokenRow } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { hashToken, newBearerToken } from '../secrets.ts';
import { findApiTokenByHash, insertApiToken, touchApiToken } from './agents.repository.ts';

export const API_TOKEN_PREFIX = 'sgt';

/** Who is calling the admin/agent API: the id and name stand as the author of replies. */
export type Principal = { kind: 'api_token'; id: string; name: string; role: ApiTokenRow['role'] };

/** Shown once; only its hash is kept. */
export async function createApiToken(
  ctx: AppContext,
  input: { name: string; role?: ApiTokenRow['role'] },
): Promise<{ id: string; name: string; token: string }> {
  const now = ctx.now();
  const token = newBearerToken(API_TOKEN_PREFIX);
  const id = newId(now);
  await insertApiToken(ctx.storage.db, {
    id,
    name: input.name,
    token_hash: hashToken(token),
    role: input.role ?? 'admin',
    created_at: now,
    last_used_at: null,
    revoked_at: null,
  });
  return { id, name: input.name, token };
}

export async function authenticateApiToken(ctx: AppContext, token: string): Promise<Principal | undefined> {
  if (!token.startsWith(`${API_TOKEN_PREFIX}_`) || token.length > 200) return undefined;
  const row = await findApiTokenByHash(ctx.storage.db, hashToken(token));
  if (!row) return undefined;
  await touchApiToken(ctx.storage.db, row.id, ctx.now());
  return { kind: 'api_token', id: row.id, name: row.name, role: row.role };
}
