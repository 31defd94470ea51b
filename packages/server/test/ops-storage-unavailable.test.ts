import { describe, expect, it } from 'vitest';
import { isStorageUnavailable } from '../src/ops/storage-unavailable.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('which errors mean the database is away (503), not a bug (500)', () => {
  it('connection failures and PostgreSQL shutting down or starting are', () => {
    expect(isStorageUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(
      isStorageUnavailable(withCode('terminating connection due to administrator command', '57P01')),
    ).toBe(true);
    expect(isStorageUnavailable(withCode('the database system is starting up', '57P03'))).toBe(true);
    expect(isStorageUnavailable(withCode('connection failure', '08006'))).toBe(true);
    expect(isStorageUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isStorageUnavailable(new AggregateError([withCode('refused', 'ECONNREFUSED')], 'x'))).toBe(true);
    expect(isStorageUnavailable(new Error('outer', { cause: withCode('refused', 'ECONNRESET') }))).toBe(true);
  });

  it('query errors, constraint violations and plain bugs are not', () => {
    expect(isStorageUnavailable(withCode('syntax error at or near "selec"', '42601'))).toBe(false);
    expect(isStorageUnavailable(withCode('duplicate key value', '23505'))).toBe(false);
    expect(isStorageUnavailable(withCode('SQLITE_CONSTRAINT', 'SQLITE_CONSTRAINT_UNIQUE'))).toBe(false);
    expect(isStorageUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(
      false,
    );
    expect(isStorageUnavailable('ECONNREFUSED')).toBe(false);
  });
});
