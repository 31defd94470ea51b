import type { FastifyRequest } from 'fastify';

/**
 * The origin this request was addressed to: its scheme and Host, or with TRUST_PROXY=1
 * the proxy's X-Forwarded-Proto and X-Forwarded-Host (Fastify reads those only then).
 */
export function ownOrigin(request: FastifyRequest): string | undefined {
  return normalizedOrigin(`${request.protocol}://${request.host}`);
}

/** `scheme://host[:port]` with default ports dropped and case folded; undefined if not an origin. */
export function normalizedOrigin(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/** API.md "Hostile input": the agent app's cookie opens a socket only from the server's own pages. */
export function isSameOrigin(request: FastifyRequest): boolean {
  const origin = normalizedOrigin(request.headers.origin);
  return origin !== undefined && origin === ownOrigin(request);
}
