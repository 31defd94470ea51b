import { describe, expect, it } from 'vitest';
import { highlightedSnippet } from './snippet.ts';

describe('highlightedSnippet', () => {
  it('marks every word a term starts, whatever its case or accents', () => {
    expect(highlightedSnippet('Refunds go back; a REFUND takes days. Café opens.', ['refund', 'cafe'])).toBe(
      '<mark>Refunds</mark> go back; a <mark>REFUND</mark> takes days. <mark>Café</mark> opens.',
    );
  });

  it('is a window around the first match, cut with an ellipsis', () => {
    const text = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
    const snippet = highlightedSnippet(text.replace('w50', 'needle'), ['needle'], 10);
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('<mark>needle</mark>');
    expect(snippet.split(' ').length).toBeLessThanOrEqual(11);
  });

  it('escapes the text: markup in an article is shown, never run', () => {
    const snippet = highlightedSnippet('<img src=x onerror=alert(1)> "quoted" & wombat', ['wombat']);
    expect(snippet).toBe('&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; <mark>wombat</mark>');
  });

  it('opens the text when only the title matched', () => {
    expect(highlightedSnippet('Short body here.', ['title'])).toBe('Short body here.');
  });
});
