/**
 * Errors that mean "the database cannot be reached right now" rather than "this request
 * is wrong": refused or dropped connections, PostgreSQL shutting down or starting up
 * (SQLSTATE 57P01–57P03, class 08), the pool's connect timeout. Answered 503
 * `unavailable` with Retry-After, never a bare 500: the client retries with the same
 * clientMessageId, and nothing acknowledged is lost (test/ops-faults.test.ts).
 */
const CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
]);
const MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error/,
];

export function isStorageUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  if (error instanceof AggregateError) return error.errors.some(isStorageUnavailable);
  return error.cause !== undefined && error.cause !== error && isStorageUnavailable(error.cause);
}
