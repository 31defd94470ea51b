import { ErrorBody } from '@signet/protocol';
import type { TSchema } from '@sinclair/typebox';

/** Success schemas of a route plus the one error shape every route may answer with. */
export function responses<T extends Record<number, TSchema>>(ok: T) {
  return { ...ok, '4xx': ErrorBody, '5xx': ErrorBody } as T & {
    '4xx': typeof ErrorBody;
    '5xx': typeof ErrorBody;
  };
}
