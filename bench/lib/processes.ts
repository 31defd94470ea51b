import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export type Started = { url: string; port: number; process: ChildProcess; stop(): Promise<void> };

/**
 * Starts a TypeScript entry point in its own process on a free port and waits until
 * `readyPath` answers 200 (or, with `readyPath: null`, until the port accepts).
 */
export async function startProcess(
  entry: string,
  env: Record<string, string>,
  readyPath: string | null = '/healthz',
): Promise<Started> {
  const port = await freePort();
  // node --import tsx (not the tsx CLI, which forks): the child's pid is the server's, for RSS.
  // BENCH_CPU_PROF=<dir>: every process started here writes a V8 CPU profile there on exit
  // (summarize one with `npx tsx bench/profile.ts <file>`).
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--expose-gc', '--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      if (readyPath === null ? await accepts(port) : (await fetch(url + readyPath)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${entry} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    process: child,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Environment for a fresh Signet server: its own data dir, or its own PostgreSQL schema. */
export function signetEnv(databaseUrl?: string): Record<string, string> {
  return {
    DATA_DIR: mkdtempSync(join(tmpdir(), 'signet-bench-')),
    SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
    LOGIN_RATE_PER_MINUTE: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
}
