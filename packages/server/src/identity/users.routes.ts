import {
  CreateOrUpdateUserBody,
  CreateUserBody,
  ListUsersQuery,
  MergeUserBody,
  Page,
  PatchUserBody,
  TimelineEntry,
  TimelineQuery,
  UnmergeBody,
  UnmergeResult,
  User,
  UserParams,
} from '@signet/protocol';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { createOrUpdateUser, createUser } from './create-user.ts';
import { eraseUser } from './erase-user.ts';
import { findUsersBy } from './find-users.ts';
import { actorOf } from './journal.ts';
import { mergeUserByHand } from './merge-user.ts';
import { findPossibleMatches } from './possible-matches.ts';
import { unmergeUser } from './unmerge-user.ts';
import { updateUserProfile } from './update-user.ts';
import { userTimeline } from './user-timeline.ts';
import { getUserView } from './user-view.ts';

export async function userRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const staff = requireStaff(ctx);
  const tags = ['users'];

  app.post(
    '/v1/users',
    { preHandler: staff, schema: { tags, body: CreateUserBody, response: responses({ 201: User }) } },
    async (request, reply) =>
      reply.status(201).send(await createUser(ctx, request.body, actorOf(request.principal))),
  );

  app.put(
    '/v1/users/create_or_update',
    {
      preHandler: staff,
      schema: { tags, body: CreateOrUpdateUserBody, response: responses({ 200: User, 201: User }) },
    },
    async (request, reply) => {
      const { user, created } = await createOrUpdateUser(ctx, request.body, actorOf(request.principal));
      return reply.status(created ? 201 : 200).send(user);
    },
  );

  app.get(
    '/v1/users',
    {
      preHandler: staff,
      schema: { tags, querystring: ListUsersQuery, response: responses({ 200: Page(User) }) },
    },
    async (request) => findUsersBy(ctx, request.query),
  );

  app.get(
    '/v1/users/:id',
    { preHandler: staff, schema: { tags, params: UserParams, response: responses({ 200: User }) } },
    async (request) => getUserView(ctx.storage.db, request.params.id),
  );

  app.get(
    '/v1/users/:id/possible-matches',
    { preHandler: staff, schema: { tags, params: UserParams, response: responses({ 200: Page(User) }) } },
    async (request) => ({ data: await findPossibleMatches(ctx, request.params.id), nextCursor: null }),
  );

  app.post(
    '/v1/users/:id/unmerge',
    {
      preHandler: requireStaff(ctx, 'admin'),
      schema: { tags, params: UserParams, body: UnmergeBody, response: responses({ 200: UnmergeResult }) },
    },
    async (request) =>
      unmergeUser(ctx, request.params.id, request.body.mergedUserId, {
        dryRun: request.body.dryRun,
        actor: actorOf(request.principal),
      }),
  );

  app.get(
    '/v1/users/:id/timeline',
    {
      preHandler: staff,
      schema: {
        tags,
        params: UserParams,
        querystring: TimelineQuery,
        response: responses({ 200: Page(TimelineEntry) }),
      },
    },
    async (request) => userTimeline(ctx, request.params.id, request.query),
  );

  app.patch(
    '/v1/users/:id',
    {
      preHandler: staff,
      schema: { tags, params: UserParams, body: PatchUserBody, response: responses({ 200: User }) },
    },
    async (request) => updateUserProfile(ctx, request.params.id, request.body, actorOf(request.principal)),
  );

  app.delete(
    '/v1/users/:id',
    { preHandler: staff, schema: { tags, params: UserParams, response: responses({ 204: Type.Null() }) } },
    async (request, reply) => {
      await eraseUser(ctx, request.params.id, actorOf(request.principal));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/users/:id/merge',
    {
      preHandler: staff,
      schema: { tags, params: UserParams, body: MergeUserBody, response: responses({ 200: User }) },
    },
    async (request) =>
      mergeUserByHand(ctx, request.params.id, request.body.intoUserId, actorOf(request.principal)),
  );
}
