import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_STATUS, type ErrorCode } from '../errors.ts';
import { isStorageUnavailable } from '../ops/storage-unavailable.ts';
import type { App } from './types.ts';

/** Fastify's own failures, in the project's codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
};

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'not_authenticated',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

export function registerErrorHandling(app: App): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      if (error.code === 'master_key_mismatch') request.log.error({ code: error.code }, error.message);
      if (error.details.retryAfter !== undefined)
        reply.header('retry-after', String(error.details.retryAfter));
      return reply
        .status(error.status)
        .send({ error: { code: error.code, message: error.message, ...error.details } });
    }
    if (error.validation) {
      const first = error.validation[0];
      const field = first?.instancePath?.replace(/^\//, '').replaceAll('/', '.') || undefined;
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message: `${error.validationContext ?? 'request'}: ${error.message}`,
          ...(field ? { field } : {}),
        },
      });
    }
    const mapped =
      (error.code && FASTIFY_CODES[error.code]) || (error.statusCode && BY_STATUS[error.statusCode]);
    if (mapped) {
      return reply
        .status(ERROR_STATUS[mapped])
        .send({ error: { code: mapped, message: publicMessage(error) } });
    }
    if (isStorageUnavailable(error)) {
      request.log.warn({ err: error }, 'database unreachable');
      reply.header('retry-after', '1');
      return reply
        .status(503)
        .send({ error: { code: 'unavailable', message: 'the database is unreachable' } });
    }
    // 5xx answers hide details; the log keeps them.
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    });
  });
}

function publicMessage(error: FastifyError): string {
  // Fastify's client-error messages name the problem without echoing input.
  return error.message.slice(0, 200);
}
