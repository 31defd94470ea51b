import type { Kysely } from 'kysely';
import type { Database, Flag } from './schema.ts';

/** A connection or an open transaction; repositories accept either. */
export type Executor = Kysely<Database>;

export const flag = (value: boolean): Flag => (value ? 1 : 0);
