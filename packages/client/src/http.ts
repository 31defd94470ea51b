/** What the client makes of one HTTP answer (API.md "Hostile input": 429/5xx keep the session, 401 drops it). */
export type Answer = {
  /** 0 when the server could not be reached. */
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body, read field by field by the caller
  body: any;
  code: string | undefined;
  /** From `Retry-After`, when the server sent one (and CORS lets us read it). */
  retryAfterMs: number | undefined;
};

/** One request through the client's own path: its session, its 401 recovery, its 429/5xx retries. */
export type Call = (
  method: string,
  path: string,
  body?: unknown,
  options?: { retries?: number },
) => Promise<Answer>;

/** The 401 codes that mean "this session token is over" (IDENTITY.md §7). */
export const SESSION_OVER = new Set(['invalid_session', 'session_expired', 'session_ended']);

export const sessionOver = (answer: Answer): boolean =>
  answer.status === 401 && (answer.code === undefined || SESSION_OVER.has(answer.code));

/** Worth asking again later, with the same session: unreachable, rate-limited, or a server fault. */
export const transient = (answer: Answer): boolean =>
  answer.status === 0 || answer.status === 429 || answer.status === 408 || answer.status >= 500;

const MAX_WAIT_MS = 5 * 60_000;

/** `Retry-After` as delta-seconds or an HTTP date, capped at five minutes; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_WAIT_MS);
  const at = /^[a-z]{3}, /i.test(trimmed) ? Date.parse(trimmed) : Number.NaN; // an HTTP-date
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.min(at - now, MAX_WAIT_MS));
}

export async function readAnswer(response: Response): Promise<Answer> {
  const body = await response.json().catch(() => undefined);
  const code = body?.error?.code;
  return {
    status: response.status,
    body,
    code: typeof code === 'string' ? code : undefined,
    retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
  };
}

export const unreachable: Answer = { status: 0, body: undefined, code: undefined, retryAfterMs: undefined };
