import { type TSchema, Type } from '@sinclair/typebox';

/** A timestamp as sent on the wire: ISO 8601, UTC. */
export const Timestamp = Type.String({ format: 'date-time' });
export const Id = Type.String({ minLength: 1, maxLength: 100 });
export const FreeText = Type.String({ maxLength: 255 });
export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
export const Cursor = Type.Union([Type.String(), Type.Null()]);

/** Every list is `{data, nextCursor}` (API.md). */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: Cursor }, { additionalProperties: false });
