/**
 * `npx tsx bench/profile.ts <file.cpuprofile> [top]`: where a V8 CPU profile spent its
 * time, by function (self time) and by owner (a package in node_modules, a source
 * file of ours, or the runtime), so a profile can be quoted in docs/performance.md.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './lib/processes.ts';

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/profile.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = profile.endTime - profile.startTime;

function owner(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1]!;
  if (path.startsWith('node:')) return path;
  return relative(ROOT, path);
}

const byFunction = new Map<string, number>();
const byOwner = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const who = owner(url, functionName);
  const fn = `${functionName || '(anonymous)'}  ${who}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  byOwner.set(who, (byOwner.get(who) ?? 0) + micros);
}

// Inclusive ("total") time: a function's own samples plus everything it called, counted
// once per function even when it recurses.
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const inclusive = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
    if (!url) continue;
    const fn = `${functionName || '(anonymous)'}  ${owner(url, functionName)}:${lineNumber + 1}`;
    if (seen.has(fn)) continue;
    seen.add(fn);
    inclusive.set(fn, (inclusive.get(fn) ?? 0) + micros);
  }
}
const ours = new Map([...inclusive].filter(([fn]) => fn.includes('packages/')));

const pct = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)} %`;
const print = (title: string, rows: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, micros] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(micros)}  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
print('self time by owner', byOwner);
print('self time by function', byFunction);
print('total time (self + callees) of our functions', ours);
