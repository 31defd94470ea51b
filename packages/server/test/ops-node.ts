import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './cluster.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

/**
 * A server process run as `node --import tsx …/main.ts`, so its pid is the server's own:
 * through the tsx wrapper a SIGKILL would kill only the wrapper and leave the server up.
 */
export class NodeProcess {
  #process: ChildProcess | undefined;
  stderr = '';
  private constructor(
    readonly port: number,
    readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string>): Promise<NodeProcess> {
    const node = new NodeProcess(await freePort(), env);
    await node.start();
    return node;
  }

  get http(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get ws(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.#process = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'signet-node-')),
        LOG_LEVEL: 'warn',
        LOGIN_RATE_PER_MINUTE: '0',
        ...this.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#process.stderr!.on('data', (chunk) => {
      this.stderr += chunk.toString();
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.#process.exitCode !== null) throw new Error(`server exited: ${this.stderr}`);
      const ready = await fetch(`${this.http}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`server on ${this.port} not ready: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get running(): boolean {
    return (
      this.#process !== undefined && this.#process.exitCode === null && this.#process.signalCode === null
    );
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.#process;
    if (!child || !this.running) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill(signal);
    });
  }
}
