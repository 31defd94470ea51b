/** IDENTITY.md §2: a tag is 1..64 of `a-z 0-9 _ - : .`, lowercased on arrival; at most 50. */
export const MAX_TAGS = 50;
const TAG = /^[a-z0-9_\-:.]{1,64}$/;

/** The tags a claim carries, lowercased and deduplicated, or undefined when any is not a tag. */
export function normalizeTags(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_TAGS) return undefined;
  const tags: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') return undefined;
    const tag = item.toLowerCase();
    if (!TAG.test(tag)) return undefined;
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/** The stored column (a JSON array); anything unreadable counts as no tags. */
export function parseTags(stored: string | null | undefined): string[] {
  if (!stored) return [];
  try {
    const value = JSON.parse(stored);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
