import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';

/**
 * examples/: the token endpoint in Node, Python, Ruby and Go, each started on a free
 * port and asked for a token the way a host page does; the token logs in to a real
 * Signet as the example's customer. A missing toolchain skips that language with its
 * reason, except in CI (CI=true), where it fails: .ci/run installs them all.
 */
const EXAMPLES_DIR = resolve(import.meta.dirname, '../../../examples');
const IN_CI = ['true', '1'].includes((process.env.CI ?? '').toLowerCase());
const DEBIAN_PACKAGES = 'python3-jwt ruby ruby-jwt golang-go golang-github-golang-jwt-jwt-dev';
const GO_ENV = { GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '' };
const buildDir = mkdtempSync(join(tmpdir(), 'signet-examples-'));

type Example = {
  language: string;
  /** Why it cannot run here, or undefined when it can. */
  missing: () => string | undefined;
  /** Compile if needed; the command that starts the server. */
  prepare: () => { command: string; args: string[]; cwd: string; env?: Record<string, string> };
};

const runs = (command: string, args: string[], env: Record<string, string> = {}): boolean =>
  spawnSync(command, args, { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 30_000 }).status ===
  0;
const python = ['/usr/bin/python3', 'python3'].find((bin) => runs(bin, ['-c', 'import jwt']));

const EXAMPLES: Example[] = [
  {
    language: 'Node (@signet/node)',
    missing: () => undefined,
    prepare: () => ({
      command: process.execPath,
      args: ['--import', 'tsx', 'server.js'],
      cwd: join(EXAMPLES_DIR, 'node'),
    }),
  },
  {
    language: 'Python (PyJWT)',
    missing: () => (python ? undefined : 'no python3 with PyJWT (apt-get install python3-jwt)'),
    prepare: () => ({ command: python!, args: ['-u', 'server.py'], cwd: join(EXAMPLES_DIR, 'python') }),
  },
  {
    language: 'Ruby (ruby-jwt)',
    missing: () =>
      runs('ruby', ['-e', 'require "jwt"; require "webrick"'])
        ? undefined
        : 'no ruby with ruby-jwt and webrick (apt-get install ruby ruby-jwt)',
    prepare: () => ({ command: 'ruby', args: ['server.rb'], cwd: join(EXAMPLES_DIR, 'ruby') }),
  },
  {
    language: 'Go (golang-jwt)',
    missing: () =>
      runs('go', ['list', 'github.com/golang-jwt/jwt'], GO_ENV)
        ? undefined
        : 'no go with golang-jwt in /usr/share/gocode (apt-get install golang-go golang-github-golang-jwt-jwt-dev)',
    prepare: () => {
      const binary = join(buildDir, 'signet-token-go');
      const built = spawnSync('go', ['build', '-o', binary, 'main.go'], {
        cwd: join(EXAMPLES_DIR, 'go'),
        env: { ...process.env, ...GO_ENV, GOCACHE: join(tmpdir(), 'signet-examples-go-cache') },
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (built.status !== 0) throw new Error(`go build failed: ${built.stderr}`);
      return { command: binary, args: [], cwd: join(EXAMPLES_DIR, 'go') };
    },
  },
];

describe('the token endpoint examples', () => {
  let signet: TestServer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    signet = await startTestServer('sqlite');
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await signet?.close();
    rmSync(buildDir, { recursive: true, force: true });
  });

  for (const example of EXAMPLES) {
    const missing = example.missing();
    let prepared: ReturnType<Example['prepare']> | undefined;
    const prepare = () => {
      prepared ??= example.prepare();
      return prepared;
    };
    // Skipped only off CI, on a machine without this language's Debian toolchain (the
    // reason is printed); CI installs every toolchain and the test throws there if one is missing.
    if (missing && !IN_CI) console.warn(`examples: skipping ${example.language}: ${missing}`);
    it.skipIf(Boolean(missing) && !IN_CI)(
      `${example.language}: the host page's fetch gets a token that logs in as the example's customer`,
      async () => {
        if (missing)
          throw new Error(`${missing}; CI must run every example (.ci/run installs ${DEBIAN_PACKAGES})`);
        const start = prepare();
        const key = await signet.createKey(`example ${example.language}`);
        const { child, url, output } = await startExample(start, {
          SIGNET_KID: key.kid,
          SIGNET_SECRET: key.secret,
          HOST: '127.0.0.1',
          PORT: String(await freePort()),
        });
        children.push(child);

        const response = await fetch(`${url}/signet-token`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(response.headers.get('cache-control')).toBe('no-store');
        const jwt = (await response.text()).trim();
        expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'HS256', kid: key.kid });
        const claims = decodeJwt(jwt);
        expect(claims.exp! - claims.iat!).toBe(600);

        const login = await signet.request('POST', '/v1/client/login', { body: { jwt } });
        expect(login.statusCode).toBe(200);
        const { authenticated, user } = login.json();
        expect(authenticated).toBe(true);
        expect(user).toMatchObject({
          externalId: 'customer-42',
          name: 'Ada Lovelace',
          email: 'ada@example.com',
        });
        expect(user.identities).toContainEqual(
          expect.objectContaining({ type: 'email', value: 'ada@example.com', verified: true, source: 'jwt' }),
        );

        expect((await fetch(`${url}/something-else`)).status).toBe(404);
        // Neither the secret nor a token it signed reaches the example's own output (access logs).
        await fetch(`${url}/signet-token`);
        expect(output()).not.toContain(key.secret);
        expect(output()).not.toContain(jwt.split('.')[2]!);
        child.kill('SIGTERM');
      },
      180_000,
    );

    it.skipIf(Boolean(missing) && !IN_CI)(
      `${example.language}: refuses to start without SIGNET_KID and SIGNET_SECRET`,
      async () => {
        if (missing)
          throw new Error(`${missing}; CI must run every example (.ci/run installs ${DEBIAN_PACKAGES})`);
        const start = prepare();
        const env = { ...process.env, ...start.env };
        delete env.SIGNET_KID;
        delete env.SIGNET_SECRET;
        const result = spawnSync(start.command, start.args, {
          cwd: start.cwd,
          env,
          encoding: 'utf8',
          timeout: 30_000,
        });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain('SIGNET_KID');
      },
      180_000,
    );
  }
});

/** Starts an example and waits for its "listening on http://…" line. */
function startExample(
  start: ReturnType<Example['prepare']>,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(start.command, start.args, {
    cwd: start.cwd,
    env: { ...process.env, ...start.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => fail(new Error('did not start within 30 s')), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n${output}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1]!, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => fail(new Error(`exited with ${code} before listening`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePromise(port));
    });
  });
}
