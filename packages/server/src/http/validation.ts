import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { App } from './types.ts';

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

  // A request that sends no body at all (a bare `fetch(url, {method: 'POST'})`) is
  // validated as `{}`: fine where nothing is required, a 400 naming the field where
  // something is. A body that is sent, even `null`, is validated as it is.
  app.addHook('preValidation', async (request) => {
    const sentNothing =
      request.headers['content-type'] === undefined && !Number(request.headers['content-length'] ?? 0);
    if (sentNothing && request.body == null) request.body = {};
  });
}
