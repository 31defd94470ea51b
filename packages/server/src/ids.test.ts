import { describe, expect, it } from 'vitest';
import { isId, newId } from './ids.ts';

describe('newId', () => {
  it('gives UUIDv7s that grow strictly, even within one millisecond and across refills of the random pool', () => {
    const now = Date.now();
    // 1,000 ids (several 4 KiB refills) in one millisecond, then some in the next ones.
    const ids = [
      ...Array.from({ length: 1000 }, () => newId(now)),
      ...Array.from({ length: 500 }, (_, i) => newId(now + 1 + i)),
    ];
    for (const id of ids) {
      expect(isId(id)).toBe(true);
      expect(id[14]).toBe('7'); // version
      expect('89ab').toContain(id[19]); // variant
    }
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    // The random tails never repeat: each id took fresh bytes from the pool.
    expect(new Set(ids.map((id) => id.slice(19))).size).toBe(ids.length);
  });
});
