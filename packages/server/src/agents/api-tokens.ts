import type { AppContext } from '../context.ts';
import type { ApiTokenRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { isId, newId } from '../ids.ts';
import { isStale } from '../last-used.ts';
import { hashToken, newBearerToken } from '../secrets.ts';
import {
  findApiTokenByHash,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
  touchApiToken,
} from './agents.repository.ts';
import type { Principal } from './principal.ts';

export const API_TOKEN_PREFIX = 'sgt';

/** Shown once; only its hash is kept. */
export async function createApiToken(
  ctx: AppContext,
  input: { name: string; role?: ApiTokenRow['role'] },
): Promise<{ id: string; name: string; role: ApiTokenRow['role']; token: string }> {
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
  return { id, name: input.name, role: input.role ?? 'admin', token };
}

export async function authenticateApiToken(ctx: AppContext, token: string): Promise<Principal | undefined> {
  if (!token.startsWith(`${API_TOKEN_PREFIX}_`) || token.length > 200) return undefined;
  const row = await findApiTokenByHash(ctx.storage.db, hashToken(token));
  if (!row) return undefined;
  const now = ctx.now();
  if (isStale(row.last_used_at, now)) await touchApiToken(ctx.storage.db, row.id, now);
  return { kind: 'api_token', id: row.id, name: row.name, role: row.role };
}

/** Listing never shows a token, only what it is and when it was used. */
export async function listApiTokenViews(ctx: AppContext) {
  const rows = await listApiTokens(ctx.storage.db);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    createdAt: new Date(r.created_at).toISOString(),
    lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at).toISOString(),
  }));
}

export async function deleteApiToken(ctx: AppContext, id: string): Promise<void> {
  if (!isId(id) || !(await revokeApiToken(ctx.storage.db, id, ctx.now()))) {
    throw new AppError('not_found', 'no such API token');
  }
  // Sockets opened with it end too, on every node.
  await ctx.bus.publish({ type: 'agent_access.ended', principalIds: [id], agentSessionIds: [] });
}
