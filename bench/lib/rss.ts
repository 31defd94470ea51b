import { readFileSync } from 'node:fs';

/** Resident set size of a process, in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

/** RSS after the process has had a moment to settle (allocation bursts, lazy GC). */
export async function settledRss(pid: number, ms = 1500): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return rssOf(pid);
}
