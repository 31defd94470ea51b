import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { StorageOptions } from '../src/db/database.ts';
import { createSigningKey } from '../src/identity/signing-keys.ts';
import { MasterKey } from '../src/master-key.ts';
import { MasterKeyMismatchError } from '../src/ops/master-key-check.ts';
import { startRuntime } from '../src/runtime.ts';
import { freePort, privateSchema } from './cluster.ts';
import { login } from './factories.ts';
import { DATABASES, leakedSecrets, signUserToken, startTestServer, uniqueExternalId } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const newKey = () => randomBytes(32).toString('hex');

/** Runs `npm start`'s entry point and waits for it to exit (or gives up after 20 s). */
async function startProcess(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['packages/server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(await freePort()), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  clearTimeout(timer);
  return { code, stderr };
}

describe.each(DATABASES)('the master key across nodes, on %s', (kind) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  /** Storage for one "installation", and the environment a node of it gets. */
  async function installation() {
    const dataDir = mkdtempSync(join(tmpdir(), 'signet-mk-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    if (kind === 'sqlite') {
      const storage: StorageOptions = { dialect: 'sqlite', file: join(dataDir, 'signet.db') };
      return { dataDir, storage, env: { DATA_DIR: dataDir } as Record<string, string> };
    }
    const schema = await privateSchema(process.env.TEST_DATABASE_URL!);
    cleanups.push(schema.drop);
    const storage: StorageOptions = {
      dialect: 'postgres',
      url: process.env.TEST_DATABASE_URL!,
      schema: schema.schema,
    };
    return { dataDir, storage, env: { DATA_DIR: dataDir, DATABASE_URL: schema.url } };
  }

  const runtimeWith = (inst: Awaited<ReturnType<typeof installation>>, key: string | undefined) =>
    startRuntime(
      loadConfig({ ...inst.env, ...(key ? { SIGNET_MASTER_KEY: key } : {}), LOG_LEVEL: 'silent' }),
      inst.storage,
    );

  it('a node started with another SIGNET_MASTER_KEY exits, naming it; the right key still starts', async () => {
    const inst = await installation();
    const right = newKey();
    const first = await runtimeWith(inst, right);
    await createSigningKey(first, 'shop');
    await first.close();

    const wrong = await startProcess({ ...inst.env, SIGNET_MASTER_KEY: newKey() });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('refusing to start');
    expect(wrong.stderr).toContain('SIGNET_MASTER_KEY does not open the secrets in this database');
    expect(wrong.stderr).not.toContain(right);
    // One line, not a stack trace.
    expect(wrong.stderr).not.toMatch(/\n\s+at /);

    const again = await runtimeWith(inst, right);
    await again.close();
  });

  it('without SIGNET_MASTER_KEY, a node whose generated master.key is not the database’s refuses too', async () => {
    const inst = await installation();
    const first = await runtimeWith(inst, newKey());
    await first.close();
    // This node has no SIGNET_MASTER_KEY: it generates DATA_DIR/master.key, a new key.
    await expect(runtimeWith(inst, undefined)).rejects.toThrow(/DATA_DIR\/master\.key/);
  });

  it('a database from before the check value is judged by its signing-key secrets, then gets one', async () => {
    const inst = await installation();
    const right = newKey();
    const first = await runtimeWith(inst, right);
    await createSigningKey(first, 'shop');
    await first.storage.db.deleteFrom('meta').execute();
    await first.close();

    await expect(runtimeWith(inst, newKey())).rejects.toBeInstanceOf(MasterKeyMismatchError);
    const ok = await runtimeWith(inst, right);
    const stored = await ok.storage.db.selectFrom('meta').select('key').execute();
    expect(stored.map((r) => r.key)).toEqual(['master_key_check']);
    await ok.close();
    // And now an empty-keyed node is refused by the check value itself.
    const emptied = await runtimeWith(inst, right);
    await sql`delete from signing_keys`.execute(emptied.storage.db);
    await emptied.close();
    await expect(runtimeWith(inst, newKey())).rejects.toBeInstanceOf(MasterKeyMismatchError);
  });

  it('a secret sealed under another key, met at run time, is a 503 master_key_mismatch with a log line', async () => {
    const server = await startTestServer(kind);
    try {
      const otherKey = MasterKey.parse(newKey());
      const foreign = await createSigningKey({ ...server.runtime, masterKey: otherKey }, 'from another node');
      server.secrets.add(foreign.secret);
      const token = await signUserToken(foreign, { external_id: uniqueExternalId() }, server.secrets);
      const response = await login(server, token);
      expect(response.statusCode).toBe(503);
      expect(response.json().error.code).toBe('master_key_mismatch');
      expect(server.logs.join('')).toContain('master_key_mismatch');
      expect(leakedSecrets(server)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
