import { escapeHtml } from './markdown.ts';

const WORD = /([\p{L}\p{N}]+)/u;
const ASCII = /^[A-Za-z0-9]*$/;
/** Case and accents dropped; ASCII words, most of them, skip the Unicode normalization. */
const fold = (word: string) =>
  (ASCII.test(word) ? word : word.normalize('NFD').replace(/\p{M}/gu, '')).toLowerCase();

/**
 * A short window of the article's text around the first searched word, escaped, with
 * every word that starts with a search term in `<mark>`. Built from the few rows a search
 * returns rather than by the database for every match (FTS5 snippet, ts_headline), and
 * the same on both databases.
 */
export function highlightedSnippet(text: string, terms: string[], words = 24): string {
  const parts = text.split(WORD); // odd indexes are words
  const folded = terms.map(fold);
  const matches: Array<boolean | undefined> = []; // each word folded once, when first asked
  const isMatch = (i: number) => {
    if (i % 2 === 0) return false;
    let match = matches[i];
    if (match === undefined) {
      const word = fold(parts[i]!);
      match = matches[i] = folded.some((t) => word.startsWith(t));
    }
    return match;
  };
  let first = parts.findIndex((_, i) => isMatch(i));
  if (first < 0) first = 1;
  // Six words before the match, or as many more as the end of the text leaves room for;
  // from the very start (with the text before the first word) when that is near.
  let start = Math.min(first - 2 * 6, parts.length - 2 * words);
  if (start % 2 === 0) start -= 1;
  if (start <= 1) start = 0;
  const end = Math.min(parts.length, Math.max(start, 1) + 2 * words);
  let html = start > 0 ? '…' : '';
  for (let i = start; i < end; i++) {
    const piece = escapeHtml(parts[i]!);
    html += isMatch(i) ? `<mark>${piece}</mark>` : piece;
  }
  return (html + (end < parts.length - 1 ? '…' : '')).trim();
}
