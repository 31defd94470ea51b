import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { insertAgent } from '../src/agents/agents.repository.ts';
import { hashPassword } from '../src/agents/password.ts';
import { runCli } from '../src/cli/cli.ts';
import { lockSetup } from '../src/setup/setup.repository.ts';
import { setupCode } from '../src/setup/setup-code.ts';
import { DATABASES, leakedSecrets, startTestServer, type TestServer } from './harness.ts';

const password = 'first admin password';
const body = (code: string, email = 'owner@shop.example') => ({ code, email, name: 'Olive Owner', password });

describe.each(DATABASES)('first-run setup on %s', (kind) => {
  const servers: TestServer[] = [];
  const fresh = async () => {
    const server = await startTestServer(kind);
    server.secrets.add(password);
    servers.push(server);
    return server;
  };
  const agents = async (server: TestServer) =>
    (await server.runtime.storage.db.selectFrom('agents').select(['email', 'role']).execute()).map(
      (a) => `${a.email} ${a.role}`,
    );
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      expect(leakedSecrets(server)).toEqual([]);
      await server.close();
    }
  });

  it('is open while no agent exists, refuses a wrong code, creates a signed-in admin, and is gone afterwards', async () => {
    const server = await fresh();
    const code = setupCode(server.runtime.masterKey);
    expect((await server.request('GET', '/v1/setup')).json()).toEqual({ needed: true });

    const wrong = await server.request('POST', '/v1/setup', { body: body('AAAAA-AAAAA-AAAAA') });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('invalid_setup_code');
    expect(await agents(server)).toEqual([]);

    // Case, spaces and dashes do not matter.
    const ok = await server.request('POST', '/v1/setup', {
      body: body(` ${code.toLowerCase().replaceAll('-', ' ')} `),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ agent: { email: 'owner@shop.example', role: 'admin' } });
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^signet_agent=sas_/);
    server.secrets.add(cookie.split('=')[1]!);
    const me = await server.request('GET', '/v1/agent/me', { headers: { cookie } });
    expect(me.json().agent).toMatchObject({ email: 'owner@shop.example', role: 'admin' });

    expect((await server.request('GET', '/v1/setup')).json()).toEqual({ needed: false });
    const reused = await server.request('POST', '/v1/setup', { body: body(code, 'second@shop.example') });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error.code).toBe('setup_done');
    expect(await agents(server)).toEqual(['owner@shop.example admin']);
  });

  it('limits guesses at the code: past the sign-in burst (20) even the right code is 429 with Retry-After', async () => {
    const server = await fresh();
    const code = setupCode(server.runtime.masterKey);
    const guesses = [];
    for (let i = 0; i < 20; i++)
      guesses.push(
        (await server.request('POST', '/v1/setup', { body: body('AAAAA-AAAAA-AAAAA') })).statusCode,
      );
    expect(guesses).toEqual(Array(20).fill(403));
    const limited = await server.request('POST', '/v1/setup', { body: body(code) });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(await agents(server)).toEqual([]);
  });

  it('of setups racing, exactly one creates an admin; the others are refused with setup_done', async () => {
    const server = await fresh();
    const code = setupCode(server.runtime.masterKey);
    const answers = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        server.request('POST', '/v1/setup', { body: body(code, `racer${n}@shop.example`) }),
      ),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
    for (const a of answers.filter((x) => x.statusCode === 409))
      expect(a.json().error.code).toBe('setup_done');
    expect(await agents(server)).toHaveLength(1);
  });

  it('a setup arriving while another is between its check and its commit waits for it, then is refused', async () => {
    const server = await fresh();
    const db = server.runtime.storage.db;
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const first = db.transaction().execute(async (trx) => {
      await lockSetup(trx);
      await insertAgent(trx, {
        id: 'first-admin',
        email: 'first@shop.example',
        name: 'First',
        role: 'admin',
        password_hash: await hashPassword(password),
        created_at: Date.now(),
      });
      locked();
      await committing;
    });
    await isLocked;
    const second = server.request('POST', '/v1/setup', {
      body: body(setupCode(server.runtime.masterKey), 'second@shop.example'),
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    commit();
    await first;
    const answer = await second;
    expect(answer.statusCode).toBe(409);
    expect(await agents(server)).toEqual(['first@shop.example admin']);
  });
});

describe('signet setup-code', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-setup-'));
  const env = { DATA_DIR: dataDir, SIGNET_MASTER_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent' };
  let server: TestServer | undefined;
  afterAll(() => server?.close());
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => out.push(l), env });
    return { code, out: out.join('\n') };
  };

  it('prints the code the server accepts, and exits 1 once an agent exists', async () => {
    server = await startTestServer('sqlite', env, { dataDir });
    const printed = await run('setup-code');
    expect(printed).toEqual({ code: 0, out: setupCode(server.runtime.masterKey) });
    expect((await server.request('POST', '/v1/setup', { body: body(printed.out) })).statusCode).toBe(200);
    const after = await run('setup-code', '--json');
    expect(after.code).toBe(1);
    expect(JSON.parse(after.out)).toEqual({ code: null, needed: false });
  });
});
