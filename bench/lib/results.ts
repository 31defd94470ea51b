import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './processes.ts';

/** One line of `bench/results/latest.json`: a figure beside its bare baseline from the same run. */
export type ScenarioResult = {
  name: string;
  metric: string;
  value: number;
  baseline: number | null;
  ratio: number | null;
  target: number;
  higherIsBetter: boolean;
  /** What the target is about: the ratio to the baseline (the default when there is one), or the value itself. */
  judge?: 'value' | 'ratio';
  notes: string;
};

export function result(
  fields: Omit<ScenarioResult, 'ratio' | 'baseline'> & { baseline?: number | null; ratio?: number | null },
): ScenarioResult {
  const baseline = fields.baseline ?? null;
  const ratio = fields.ratio !== undefined ? fields.ratio : baseline ? fields.value / baseline : null;
  return {
    ...fields,
    baseline: baseline === null ? null : round(baseline, 2),
    ratio: ratio === null ? null : round(ratio, 3),
    value: round(fields.value, 2),
  };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function writeResults(scenarios: ScenarioResult[], startedAt: Date, file = 'latest.json'): string {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  } catch {}
  const document = {
    commit,
    node: process.version,
    cores: availableParallelism(),
    startedAt: startedAt.toISOString(),
    scenarios,
  };
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}

export function printTable(scenarios: ScenarioResult[]): void {
  const rows = scenarios.map((s) => {
    const met = s.ratio === null || s.judge === 'value' ? s.value : s.ratio;
    const ok = s.higherIsBetter ? met >= s.target : met <= s.target;
    return {
      scenario: s.name,
      metric: s.metric,
      value: s.value,
      baseline: s.baseline ?? '',
      ratio: s.ratio ?? '',
      target: `${s.higherIsBetter ? '≥' : '≤'} ${s.target}`,
      met: ok ? 'yes' : 'NO',
    };
  });
  console.table(rows);
}
