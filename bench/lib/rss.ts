import { readFileSync } from 'node:fs';

/** Resident set size of a process, in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

/**
 * RSS after a full collection: the process runs with --expose-gc and collects on
 * SIGUSR2 (see startProcess), so garbage from setting up does not blur the figure.
 */
export async function settledRss(pid: number, ms = 1000): Promise<number> {
  for (let i = 0; i < 3; i++) {
    process.kill(pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, ms / 3));
  }
  return rssOf(pid);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSecondsOf(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
