import fc from 'fast-check';

/** Text a hostile client would send. */
export const nastyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    '😀',
    '%',
    '%FF',
    '%00',
    '%E0%A4',
    '../..',
  ),
  fc.constantFrom('x'.repeat(256), 'é'.repeat(4097), '😀'.repeat(3000), 'y'.repeat(70_000), "' OR 1=1 --"),
  fc.constantFrom(
    'not-an-email',
    'a@b.co',
    'open',
    'solved',
    '*',
    'https://shop.example',
    'true',
    '-1',
    '0',
    '1e309',
  ),
);

export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyText },
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nastyText, { maxLength: 3 }),
  fc.dictionary(nastyText, nastyText, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);

type Schema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  format?: string;
  maxLength?: number;
};

/**
 * Values shaped like `schema` (so a request gets past validation to the code behind it),
 * each part replaced by something hostile now and then: a wrong type, a NUL byte, a
 * huge string, a field missing or one too many.
 */
export function fromSchema(schema: Schema | undefined, ids: string[], depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: shaped(schema, ids, depth) }, { weight: 1, arbitrary: nastyValue });
}

function shaped(schema: Schema | undefined, ids: string[], depth: number): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return nastyValue;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const members = schema.anyOf ?? schema.oneOf;
  if (members?.length) return fc.oneof(...members.map((m) => shaped(m, ids, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return fc.oneof(
        {
          weight: 3,
          arbitrary: fc.string({ minLength: 1, maxLength: Math.min(schema.maxLength ?? 30, 30) }),
        },
        { weight: 2, arbitrary: fc.constantFrom(...ids) },
        { weight: 2, arbitrary: nastyText },
        fc.string({ minLength: 1, maxLength: 10 }).map((t) => `${t}\u0000`),
        fc.string({ minLength: 1, maxLength: 10 }).map((t) => `${t}\ud800`),
        fc.constantFrom('ada@shop.example', 'https://shop.example', '2026-01-01T00:00:00.000Z'),
      );
    case 'integer':
      return fc.oneof(fc.integer({ min: -2, max: 300 }), fc.integer());
    case 'number':
      return fc.double();
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(schema.items, ids, depth + 1), { maxLength: 4 });
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const fields = Object.fromEntries(
        properties.map(([key, value]) => [key, fromSchema(value, ids, depth + 1)]),
      );
      return fc
        .tuple(
          fc.record(fields, { requiredKeys: [] }),
          fc.oneof(
            { weight: 5, arbitrary: fc.constant(null) },
            { weight: 1, arbitrary: fc.dictionary(nastyText, nastyValue, { maxKeys: 2 }) },
          ),
        )
        .map(([known, extra]) => ({ ...known, ...(extra ?? {}) }));
    }
    default:
      return nastyValue;
  }
}
