import type { CreateUserBody, ListUsersQuery, PatchUserBody, User } from '@signet/protocol';
import { type Page, segment, type Transport } from './http.ts';

/** `/v1/users` (API.md): the business's customers as Signet knows them. */
export type UsersApi = {
  /** 201; an external id or verified email another user holds → `external_id_taken` / `email_taken`. */
  create(body: CreateUserBody): Promise<User>;
  /** By `externalId` or `email`: `created` says whether it was new. */
  createOrUpdate(body: CreateUserBody): Promise<{ user: User; created: boolean }>;
  /** A merged id answers with the surviving user. */
  get(id: string): Promise<User>;
  list(query: ListUsersQuery): Promise<Page<User>>;
  /** The user with this external id, or null. */
  findByExternalId(externalId: string): Promise<User | null>;
  update(id: string, body: PatchUserBody): Promise<User>;
  /** Erases profile, identities and messages' text. */
  erase(id: string): Promise<void>;
  /** Merges `id` into `intoUserId`; answers the survivor. */
  merge(id: string, intoUserId: string): Promise<User>;
};

export function usersApi(request: Transport): UsersApi {
  const path = (id: string) => `/v1/users/${segment(id)}`;
  return {
    create: async (body) => (await request<User>('POST', '/v1/users', { body })).body,
    async createOrUpdate(body) {
      const { status, body: user } = await request<User>('PUT', '/v1/users/create_or_update', { body });
      return { user, created: status === 201 };
    },
    get: async (id) => (await request<User>('GET', path(id))).body,
    list: async (query) => (await request<Page<User>>('GET', '/v1/users', { query })).body,
    async findByExternalId(externalId) {
      const page = (await request<Page<User>>('GET', '/v1/users', { query: { externalId } })).body;
      return page.data[0] ?? null;
    },
    update: async (id, body) => (await request<User>('PATCH', path(id), { body })).body,
    async erase(id) {
      await request('DELETE', path(id));
    },
    merge: async (id, intoUserId) =>
      (await request<User>('POST', `${path(id)}/merge`, { body: { intoUserId } })).body,
  };
}
