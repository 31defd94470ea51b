/**
 * One table from stable error codes to HTTP statuses (API.md). Domain code throws
 * `new AppError('unknown_user')`; only the HTTP layer looks a status up here.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  invalid_cursor: 400,
  invalid_flow: 400,
  invalid_email: 400,
  not_a_demo_customer: 400,
  invalid_webhook_url: 400,
  private_webhook_target: 400,
  not_authenticated: 401,
  invalid_token: 401,
  invalid_session: 401,
  session_expired: 401,
  session_ended: 401,
  invalid_credentials: 401,
  forbidden: 403,
  invalid_setup_code: 403,
  not_found: 404,
  external_id_taken: 409,
  email_taken: 409,
  merge_conflict: 409,
  unmerge_blocked: 409,
  too_many_keys: 409,
  collection_not_empty: 409,
  conflict: 409,
  webhook_disabled: 409,
  setup_done: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  /** A stored secret does not open with this node's master key (docs/operations.md). */
  master_key_mismatch: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type ErrorDetails = {
  reason?: string;
  claim?: string;
  field?: string;
  step?: number;
  problems?: string[];
  /** Seconds until a refused request may be retried; also the Retry-After header. */
  retryAfter?: number;
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string = defaultMessage(code), details: ErrorDetails = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

function defaultMessage(code: ErrorCode): string {
  return code.replaceAll('_', ' ');
}
