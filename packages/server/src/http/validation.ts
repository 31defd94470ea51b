import { isUtf8 } from 'node:buffer';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { AppError } from '../errors.ts';
import type { App } from './types.ts';

/** A lone UTF-16 surrogate: what invalid UTF-8 becomes once escaped into JSON (`"\ud800"`). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True for text storage can hold as it is: no NUL byte, no lone surrogate. */
export function isCleanText(text: string): boolean {
  return !text.includes('\0') && !LONE_SURROGATE.test(text);
}

/** The path of the first string (value or key) in `value` that is not clean text. */
export function findUncleanText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isCleanText(value) ? undefined : path || '.';
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (!isCleanText(key)) return at;
    const found = findUncleanText(item, at);
    if (found) return found;
  }
  return undefined;
}

/**
 * Query strings and path params arrive as text and are coerced to their schema types
 * (`limit=20` → 20). Bodies are JSON and already typed, so they are never coerced:
 * `{"name": 123}` is a 400, not a name "123".
 */
export function registerValidation(app: App): void {
  const options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const;
  const strict = addFormats.default(new Ajv({ ...options, coerceTypes: false }));
  const coercing = addFormats.default(new Ajv({ ...options, coerceTypes: 'array' }));
  const compiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
  app.setValidatorCompiler(compiler);

  // API.md "Hostile input": a NUL byte or invalid UTF-8 in any string is a 400, checked
  // here once for every route rather than left to each database to reject (PostgreSQL
  // refuses NUL in text with an error of its own).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (!isUtf8(body as Buffer)) {
      done(new AppError('bad_request', 'the body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, (body as Buffer).toString('utf8'), done);
  });
  app.addHook('onRequest', async (request) => {
    let url: string;
    try {
      url = decodeURIComponent(request.url);
    } catch {
      throw new AppError('bad_request', 'the URL is not valid percent-encoded UTF-8');
    }
    if (!isCleanText(url)) throw new AppError('bad_request', 'the URL holds a NUL byte');
  });

  // A request that sends no body at all (a bare `fetch(url, {method: 'POST'})`) is
  // validated as `{}`: fine where nothing is required, a 400 naming the field where
  // something is. A body that is sent, even `null`, is validated as it is.
  app.addHook('preValidation', async (request) => {
    const sentNothing =
      request.headers['content-type'] === undefined && !Number(request.headers['content-length'] ?? 0);
    if (sentNothing && request.body == null) request.body = {};
    const field = findUncleanText({ query: request.query, params: request.params, body: request.body });
    if (field)
      throw new AppError('validation_failed', 'text may not hold NUL bytes or invalid UTF-8', { field });
  });
}
