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
  'help_search',
  'help_page',
  'webhook_throughput',
  'webhook_latency',
];

const root = join(import.meta.dirname, '..');

async function quickRun(out: string, args: string[] = [], env: Record<string, string> = {}) {
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out, ...args],
    {
      cwd: root,
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const results = JSON.parse(readFileSync(join(root, 'bench/results', out), 'utf8'));
  expect(Object.keys(results).sort()).toEqual(['commit', 'cores', 'node', 'scenarios', 'startedAt']);
  return results as { scenarios: { name: string }[] };
}

/** The harness runs end to end at its quick size and writes every field. Timings are not checked here. */
describe('npm run bench -- --quick', () => {
  it('runs every scenario and writes results with every field', { timeout: 300_000 }, async () => {
    const results = await quickRun('smoke.json');
    expect(results.scenarios.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(NAMES));
    expectEveryField(results.scenarios);
  });

  const pg = process.env.TEST_DATABASE_URL;
  const redis = process.env.TEST_REDIS_URL;
  // Needs a PostgreSQL and a Redis to run against; CI sets both.
  it.skipIf(!pg || !redis)(
    'runs the PostgreSQL rows and two server processes over Redis',
    { timeout: 300_000 },
    async () => {
      const results = await quickRun('smoke-postgres.json', ['--only', 'login,messages'], {
        BENCH_DATABASE_URL: pg!,
        BENCH_REDIS_URL: redis!,
      });
      const names = results.scenarios.map((s) => s.name);
      for (const name of [
        'login_returning',
        'login_new',
        'message_sustained',
        'message_added_p50_ms',
        'message_p99_ms',
      ])
        expect(names).toEqual(expect.arrayContaining([`${name}_postgres`]));
      for (const name of ['message_sustained', 'message_added_p50_ms', 'message_p99_ms'])
        expect(names).toEqual(expect.arrayContaining([`${name}_postgres_redis`]));
      expectEveryField(results.scenarios);
    },
  );
});

function expectEveryField(scenarios: unknown[]): void {
  for (const scenario of scenarios as Record<string, unknown>[]) {
    // `judge` is there when a target is about the value itself rather than the ratio.
    if ('judge' in scenario) expect(['value', 'ratio']).toContain(scenario.judge);
    expect(
      Object.keys(scenario)
        .filter((k) => k !== 'judge')
        .sort(),
    ).toEqual(['baseline', 'higherIsBetter', 'metric', 'name', 'notes', 'ratio', 'target', 'value']);
    expect(Number.isFinite(scenario.value)).toBe(true);
  }
}
