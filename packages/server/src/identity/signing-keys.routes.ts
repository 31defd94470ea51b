import {
  CreatedSigningKey,
  CreateSigningKeyBody,
  Page,
  SigningKey,
  SigningKeyParams,
} from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { createSigningKey, deleteSigningKey, listSigningKeys } from './signing-keys.ts';

export async function signingKeyRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const admin = requireStaff(ctx, 'admin');
  const tags = ['signing keys'];

  app.post(
    '/v1/signing-keys',
    {
      preHandler: admin,
      schema: { tags, body: CreateSigningKeyBody, response: responses({ 201: CreatedSigningKey }) },
    },
    async (request, reply) => reply.status(201).send(await createSigningKey(ctx, request.body.name)),
  );

  app.get(
    '/v1/signing-keys',
    { preHandler: admin, schema: { tags, response: responses({ 200: Page(SigningKey) }) } },
    async () => ({ data: await listSigningKeys(ctx), nextCursor: null }),
  );

  app.delete(
    '/v1/signing-keys/:kid',
    {
      preHandler: admin,
      schema: { tags, params: SigningKeyParams, response: responses({ 204: Type.Null() }) },
    },
    async (request, reply) => {
      await deleteSigningKey(ctx, request.params.kid);
      return reply.status(204).send(null);
    },
  );
}
