import type { FastifyReply, FastifyRequest } from 'fastify';

export const AGENT_COOKIE = 'signet_agent';

export function readCookie(
  request: { headers: FastifyRequest['headers'] },
  name: string,
): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined; // not percent-decodable: no credential, so a 401
    }
  }
  return undefined;
}

/** HttpOnly, SameSite=Lax, and Secure whenever the request came over https. */
export function setAgentCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  maxAgeMs: number,
): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'set-cookie',
    `${AGENT_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure}`,
  );
}

export function clearAgentCookie(reply: FastifyReply): void {
  reply.header('set-cookie', `${AGENT_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
}
