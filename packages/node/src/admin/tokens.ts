import type { TokenInspection } from '@signet/protocol';
import type { Transport } from './http.ts';

/** `/v1/tokens/inspect` (admin): why a token fails, and who it would log in as. Writes nothing. */
export type TokensApi = {
  inspect(jwt: string): Promise<TokenInspection>;
};

export function tokensApi(request: Transport): TokensApi {
  return {
    inspect: async (jwt) =>
      (await request<TokenInspection>('POST', '/v1/tokens/inspect', { body: { jwt } })).body,
  };
}
