import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/cli.ts';
import { login } from './factories.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { forge } from './token-battery.ts';

const run = async (env: NodeJS.ProcessEnv, ...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

/** The CLI works on the same storage as a running server. */
describe('signet CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-cli-'));
  const env = { DATA_DIR: dataDir, SIGNET_MASTER_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent' };
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', env, { dataDir });
  });
  afterAll(() => server.close());

  it('token inspect explains a refused token (exit 1) and prints the report as JSON with --json', async () => {
    const key = JSON.parse((await run(env, 'keys', 'create', '--name', 'Web shop', '--json')).out);
    const wrong = forge(
      { kid: key.kid, secret: 'another-secret-entirely-0123456789' },
      {
        payload: { scope: 'user', external_id: 'cli' },
      },
    );
    const json = await run(env, 'token', 'inspect', wrong, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({
      valid: false,
      reason: 'bad_signature',
      key: { name: 'Web shop' },
    });
    expect(json.out).not.toContain(key.secret);
    const text = await run(env, 'token', 'inspect', wrong);
    expect(text.out).toMatch(/✗ signature/);
    expect(text.out).toContain('"Web shop"');
    const good = await run(
      env,
      'token',
      'sign',
      '--kid',
      key.kid,
      '--secret',
      key.secret,
      '--external-id',
      'cli-ok',
    );
    const valid = await run(env, 'token', 'inspect', good.out.trim(), '--json');
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.out)).toMatchObject({ valid: true, dryRun: { resolution: 'created' } });
  });

  it('creates, lists and deletes signing keys with --json; the list never shows the secret', async () => {
    const created = await run(env, 'keys', 'create', '--name', 'cli key', '--json');
    expect(created.code).toBe(0);
    const key = JSON.parse(created.out);
    expect(Object.keys(key).sort()).toEqual(['createdAt', 'kid', 'name', 'secret', 'secretPrefix']);

    const listed = await run(env, 'keys', 'list', '--json');
    expect(listed.out).not.toContain(key.secret);
    expect(JSON.parse(listed.out).data.map((k: { kid: string }) => k.kid)).toContain(key.kid);

    // token sign → a token the running server accepts, for that key.
    const signed = await run(
      env,
      'token',
      'sign',
      '--kid',
      key.kid,
      '--secret',
      key.secret,
      '--external-id',
      'cli-user',
      '--email',
      'c@x.example',
      '--email-verified',
      '--name',
      'Cli',
      '--expires-in',
      '600',
    );
    expect(signed.code).toBe(0);
    const response = await login(server, signed.out.trim());
    expect(response.json()).toMatchObject({
      user: { externalId: 'cli-user', name: 'Cli', email: 'c@x.example' },
      emailOutcome: 'attached',
    });

    expect((await run(env, 'keys', 'delete', key.kid, '--json')).code).toBe(0);
    expect((await login(server, signed.out.trim())).json().error.reason).toBe('unknown_kid');
    const again = await run(env, 'keys', 'delete', key.kid, '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.err).error.code).toBe('not_found');
  });

  it('creates an admin API token the server accepts', async () => {
    const created = JSON.parse((await run(env, 'api-tokens', 'create', '--name', 'ops', '--json')).out);
    expect(Object.keys(created).sort()).toEqual(['id', 'name', 'token']);
    const response = await server.request('GET', '/v1/signing-keys', { token: created.token });
    expect(response.statusCode).toBe(200);
  });

  it('creates agents, refusing a short password and a duplicate email', async () => {
    const ok = await run(
      env,
      'agents',
      'create',
      '--email',
      'Ann@x.example',
      '--name',
      'Ann',
      '--role',
      'admin',
      '--password',
      'long enough pw',
      '--json',
    );
    expect(JSON.parse(ok.out)).toMatchObject({ email: 'ann@x.example', role: 'admin' });
    expect(
      (
        await run(
          env,
          'agents',
          'create',
          '--email',
          'ann@x.example',
          '--name',
          'Ann',
          '--role',
          'agent',
          '--password',
          'long enough pw',
        )
      ).code,
    ).toBe(1);
    expect(
      (
        await run(
          env,
          'agents',
          'create',
          '--email',
          'b@x.example',
          '--name',
          'B',
          '--role',
          'agent',
          '--password',
          'short',
        )
      ).code,
    ).toBe(1);
    expect(
      (
        await run(
          env,
          'agents',
          'create',
          '--email',
          'b@x.example',
          '--name',
          'B',
          '--role',
          'boss',
          '--password',
          'long enough pw',
        )
      ).code,
    ).toBe(2);
  });

  it('answers unknown commands and options with usage and exit code 2', async () => {
    expect((await run(env, 'keys', 'rotate')).code).toBe(2);
    expect((await run(env, 'keys', 'list', '--bogus')).code).toBe(2);
    expect((await run(env, 'token', 'sign', '--kid', 'k')).code).toBe(2);
  });

  it('runs as the `npm run signet` script', async () => {
    const made = JSON.parse((await run(env, 'keys', 'create', '--name', 'via npm', '--json')).out);
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '-s', 'signet', '--', 'keys', 'list', '--json'],
      {
        env: { ...process.env, ...env },
        cwd: join(import.meta.dirname, '../../..'),
      },
    );
    expect(JSON.parse(stdout).data.map((k: { kid: string }) => k.kid)).toContain(made.kid);
  });
});
