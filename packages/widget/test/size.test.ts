import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WIDGET_FILE } from '../../server/src/web/widget.routes.ts';

/** The widget loads on every page of every customer's site: its size is a budget, not a hope. */
describe('widget.js', () => {
  it('is built and stays within 25 KB gzipped', () => {
    const gzipped = gzipSync(readFileSync(WIDGET_FILE), { level: 9 }).length;
    console.log(`widget.js: ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    expect(gzipped).toBeLessThanOrEqual(25 * 1024);
  });
});
