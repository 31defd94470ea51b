/**
 * JSON.parse keeps the last of duplicate keys while other parsers keep the first, so a
 * token like `{"external_id":"a","external_id":"b"}` could mean two users to two
 * systems. We refuse such documents outright. Returns undefined on any syntax error
 * or duplicate key.
 */
export function parseStrictJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return hasDuplicateKeys(text) ? undefined : (value as Record<string, unknown>);
}

/** Scans already-valid JSON and reports whether any object repeats a key. */
function hasDuplicateKeys(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === '[') {
      stack.push(null);
      expectKey = false;
    } else if (ch === '}' || ch === ']') {
      stack.pop();
      expectKey = false;
    } else if (ch === ',') {
      expectKey = stack.at(-1) instanceof Set;
    } else if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const keys = stack.at(-1) as Set<string>;
        if (keys.has(key)) return true;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    }
  }
  return false;
}

/**
 * The source text of a number that is the value of `key` in the top-level object of
 * already-valid JSON, or undefined. JSON.parse reads every number as a double, which
 * rounds integers past 2^53; the digits as written are what a token's issuer meant.
 */
export function topLevelNumberSource(text: string, key: string): string | undefined {
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      depth++;
      expectKey = ch === '{' && depth === 1;
    } else if (ch === '}' || ch === ']') {
      depth--;
    } else if (ch === ',') {
      expectKey = depth === 1;
    } else if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (expectKey && depth === 1 && JSON.parse(text.slice(i, j + 1)) === key) {
        const value = /^\s*:\s*(-?[0-9][0-9.eE+-]*)/.exec(text.slice(j + 1));
        return value?.[1];
      }
      expectKey = false;
      i = j;
    }
  }
  return undefined;
}
