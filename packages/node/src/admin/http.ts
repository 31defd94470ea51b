/** The admin API's transport: base URL, Bearer API token, JSON both ways, errors as values. */

export type AdminClientOptions = {
  /** Where Signet answers, e.g. `https://support.example.com`. */
  baseUrl: string | URL;
  /** An API token (`signet api-tokens create`); sent only as `Authorization: Bearer`. */
  apiToken: string;
  /** Per-request timeout in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** Another fetch (a proxy agent, a test double). Default: the global fetch. */
  fetch?: typeof fetch;
};

/** Every list is `{data, nextCursor}` (API.md); pass `nextCursor` as `before` for the next page. */
export type Page<T> = { data: T[]; nextCursor: string | null };

export type Query = Record<string, string | number | boolean | undefined>;

/** A refusal from Signet: the HTTP status and the stable error code (API.md errors). */
export class SignetApiError extends Error {
  override readonly name = 'SignetApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole `error` object: `field`, `reason`, `step`… when the server sent them. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

export type Transport = <T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options?: { query?: Query; body?: unknown },
) => Promise<{ status: number; body: T }>;

export function createTransport(options: AdminClientOptions): Transport {
  if (typeof options.apiToken !== 'string' || options.apiToken.length === 0) {
    throw new TypeError('apiToken is required: an API token from `signet api-tokens create`');
  }
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError('baseUrl must be an http(s) URL');
  }
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;

  return async (method, path, { query, body } = {}) => {
    const url = new URL(path, base);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${options.apiToken}`,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await doFetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const parsed = text.length > 0 && isJson(response) ? safeParse(text) : undefined;
    if (!response.ok) throw apiError(response.status, parsed);
    return { status: response.status, body: parsed as never };
  };
}

/** Path segments are user input (ids): never let one change the route. */
export const segment = (value: string): string => encodeURIComponent(value);

function apiError(status: number, parsed: unknown): SignetApiError {
  const error = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    return new SignetApiError(status, error.code, String(error.message ?? error.code), error);
  }
  return new SignetApiError(status, `http_${status}`, 'Signet answered without an error body');
}

const isJson = (response: Response): boolean => (response.headers.get('content-type') ?? '').includes('json');

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
