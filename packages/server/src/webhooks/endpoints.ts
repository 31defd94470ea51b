import type {
  CreatedWebhookEndpoint,
  CreateWebhookBody,
  PatchWebhookBody,
  WebhookEndpoint,
} from '@signet/protocol';
import type { AppContext } from '../context.ts';
import type { WebhookEndpointRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { iso, isoOrNull } from '../identity/user-view.ts';
import { isId, newId } from '../ids.ts';
import {
  deleteEndpoint,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  updateEndpoint,
} from './endpoints.repository.ts';
import { newWebhookSecret } from './signature.ts';
import { checkWebhookTarget } from './target.ts';

/** WEBHOOKS.md: after a rotation the old secret keeps signing this long. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
export const MAX_ENDPOINTS = 50;

export function endpointView(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    description: row.description,
    enabled: row.enabled === 1,
    disabledReason: row.enabled === 1 ? null : (row.disabled_reason ?? 'admin'),
    disabledAt: isoOrNull(row.disabled_at),
    failingSince: isoOrNull(row.failing_since),
    secretPrefix: row.secret_prefix,
    previousSecretUntil: isoOrNull(row.previous_secret_until),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** The secret is returned here once and stored sealed with the master key. */
export async function createEndpoint(
  ctx: AppContext,
  body: CreateWebhookBody,
): Promise<CreatedWebhookEndpoint> {
  const url = await checkWebhookTarget(body.url, ctx.config.webhookAllowPrivate);
  const now = ctx.now();
  const secret = newWebhookSecret();
  const row: WebhookEndpointRow = {
    id: newId(now),
    url,
    description: body.description ?? '',
    events: JSON.stringify(body.events),
    enabled: 1,
    disabled_reason: null,
    disabled_at: null,
    failing_since: null,
    secret_sealed: ctx.masterKey.encrypt(secret),
    secret_prefix: secret.slice(0, 12),
    previous_secret_sealed: null,
    previous_secret_until: null,
    created_at: now,
    updated_at: now,
  };
  await ctx.storage.db.transaction().execute(async (trx) => {
    if ((await listEndpoints(trx)).length >= MAX_ENDPOINTS)
      throw new AppError('conflict', `at most ${MAX_ENDPOINTS} webhook endpoints; delete one first`);
    await insertEndpoint(trx, row);
  });
  return { ...endpointView(row), secret };
}

export async function listWebhookEndpoints(ctx: AppContext): Promise<WebhookEndpoint[]> {
  return (await listEndpoints(ctx.storage.db)).map(endpointView);
}

export async function getEndpointRow(ctx: AppContext, id: string): Promise<WebhookEndpointRow> {
  const row = isId(id) ? await findEndpoint(ctx.storage.db, id) : undefined;
  if (!row) throw new AppError('not_found', 'no such webhook endpoint');
  return row;
}

/** Turning an endpoint back on clears why it was off and its failure streak. */
export async function changeEndpoint(
  ctx: AppContext,
  id: string,
  patch: PatchWebhookBody,
): Promise<WebhookEndpoint> {
  const current = await getEndpointRow(ctx, id);
  const url =
    patch.url === undefined ? undefined : await checkWebhookTarget(patch.url, ctx.config.webhookAllowPrivate);
  const now = ctx.now();
  const changes: Partial<WebhookEndpointRow> = {
    ...(url !== undefined ? { url } : {}),
    ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.enabled === true && current.enabled === 0
      ? { enabled: 1, disabled_reason: null, disabled_at: null, failing_since: null }
      : {}),
    ...(patch.enabled === false && current.enabled === 1
      ? { enabled: 0, disabled_reason: 'admin', disabled_at: now }
      : {}),
    updated_at: now,
  };
  if (!(await updateEndpoint(ctx.storage.db, id, changes)))
    throw new AppError('not_found', 'no such webhook endpoint');
  return endpointView({ ...current, ...changes });
}

export async function removeEndpoint(ctx: AppContext, id: string): Promise<void> {
  const deleted = isId(id) && (await ctx.storage.db.transaction().execute((trx) => deleteEndpoint(trx, id)));
  if (!deleted) throw new AppError('not_found', 'no such webhook endpoint');
}

/** A new secret, shown once; the old one keeps signing for 24 h so receivers can switch over. */
export async function rotateSecret(ctx: AppContext, id: string): Promise<CreatedWebhookEndpoint> {
  const current = await getEndpointRow(ctx, id);
  const now = ctx.now();
  const secret = newWebhookSecret();
  const changes = {
    secret_sealed: ctx.masterKey.encrypt(secret),
    secret_prefix: secret.slice(0, 12),
    previous_secret_sealed: current.secret_sealed,
    previous_secret_until: now + ROTATION_OVERLAP_MS,
    updated_at: now,
  };
  await updateEndpoint(ctx.storage.db, id, changes);
  return { ...endpointView({ ...current, ...changes }), secret };
}
