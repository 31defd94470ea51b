import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const NAMES = [
  'login_returning',
  'login_new',
  'message_sustained',
  'message_added_p50_ms',
  'message_p99_ms',
  'idle_socket_rss',
  'max_sockets',
  'growth_login',
  'growth_history',
];

/** The harness runs end to end at its quick size and writes every field. Timings are not checked here. */
describe('npm run bench -- --quick', () => {
  it('runs every scenario and writes results with every field', { timeout: 300_000 }, async () => {
    const root = join(import.meta.dirname, '..');
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', 'smoke.json'],
      {
        cwd: root,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const results = JSON.parse(readFileSync(join(root, 'bench/results/smoke.json'), 'utf8'));
    expect(Object.keys(results).sort()).toEqual(['commit', 'cores', 'node', 'scenarios', 'startedAt']);
    expect(results.scenarios.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(NAMES));
    for (const scenario of results.scenarios) {
      expect(Object.keys(scenario).sort()).toEqual([
        'baseline',
        'higherIsBetter',
        'metric',
        'name',
        'notes',
        'ratio',
        'target',
        'value',
      ]);
      expect(Number.isFinite(scenario.value)).toBe(true);
    }
  });
});
