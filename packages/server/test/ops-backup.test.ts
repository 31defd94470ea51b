import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/cli.ts';
import { ServerProcess } from './cluster.ts';

const run = async (env: NodeJS.ProcessEnv, ...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

const SENDERS = 6;
const LOAD_MS = 4000;

describe('signet backup / restore (SQLite)', () => {
  const dirs: string[] = [];
  const tempDir = (label: string) => {
    const dir = mkdtempSync(join(tmpdir(), `signet-${label}-`));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a backup taken while a server stores messages holds every message acknowledged before it began', async () => {
    const masterKey = randomBytes(32).toString('hex');
    const env = { DATA_DIR: tempDir('live'), SIGNET_MASTER_KEY: masterKey, LOG_LEVEL: 'silent' };
    const server = await ServerProcess.start({ ...env, MESSAGE_RATE_PER_SECOND: '0', LOG_LEVEL: 'warn' });
    const backupFile = join(tempDir('backup'), 'signet-backup.db');
    const sessions: string[] = [];
    for (let i = 0; i < SENDERS; i++) {
      const response = await fetch(`${server.http}/v1/client/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      sessions.push((await response.json()).sessionToken);
    }
    /** Per sender, the sequence numbers acknowledged (201), in order. */
    const acked: number[][] = sessions.map(() => []);
    let stop = false;
    const sender = async (s: number) => {
      for (let n = 0; !stop && n < 100_000; n++) {
        const response = await fetch(`${server.http}/v1/client/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${sessions[s]}` },
          body: JSON.stringify({ text: `s${s} n${n}`, clientMessageId: `s${s}-n${n}` }),
        });
        if (response.status !== 201) throw new Error(`send: ${response.status} ${await response.text()}`);
        acked[s]!.push(n);
      }
    };
    try {
      const load = Promise.all(sessions.map((_, s) => sender(s)));
      await new Promise((r) => setTimeout(r, LOAD_MS / 2));
      const ackedBefore = acked.map((list) => list.length);
      const backup = await run(env, 'backup', backupFile, '--json');
      expect(backup.err).toBe('');
      expect(backup.code).toBe(0);
      const ackedAfterBackup = acked.map((list) => list.length);
      await new Promise((r) => setTimeout(r, LOAD_MS / 2));
      stop = true;
      await load;

      // Restored into a fresh data dir, as on a new machine.
      const restoredEnv = { ...env, DATA_DIR: tempDir('restored') };
      const restore = await run(restoredEnv, 'restore', backupFile, '--json');
      expect(restore.code).toBe(0);
      const restoredFile = join(restoredEnv.DATA_DIR, 'signet.db');
      const db = new SqliteDatabase(restoredFile, { readonly: true });
      const rows = db
        .prepare("select client_message_id as id from messages where author_type = 'user'")
        .all() as { id: string }[];
      db.close();
      const present = new Set(rows.map((r) => r.id));

      let missed = 0;
      let gaps = 0;
      let unknown = 0;
      for (let s = 0; s < SENDERS; s++) {
        for (const n of acked[s]!.slice(0, ackedBefore[s])) if (!present.has(`s${s}-n${n}`)) missed++;
        // A consistent copy holds a prefix of each sender's messages: nothing after a hole.
        const held = acked[s]!.filter((n) => present.has(`s${s}-n${n}`));
        if (held.some((n, i) => n !== i)) gaps++;
      }
      for (const id of present) {
        const [, s, n] = /^s(\d+)-n(\d+)$/.exec(id) ?? [];
        if (s === undefined || !acked[Number(s)]!.includes(Number(n))) unknown++;
      }
      const total = acked.reduce((sum, list) => sum + list.length, 0);
      const before = ackedBefore.reduce((a, b) => a + b, 0);
      const during = ackedAfterBackup.reduce((a, b) => a + b, 0);
      console.log(
        `backup under load: acknowledged ${total} (${before} before the backup began, ${during} by its end); ` +
          `in the backup ${present.size}; missed ${missed}; senders with a hole ${gaps}; unknown ${unknown}`,
      );
      expect(before).toBeGreaterThan(10);
      expect(missed).toBe(0);
      expect(gaps).toBe(0);
      expect(unknown).toBe(0);
      expect(present.size).toBeGreaterThanOrEqual(before);

      // The restored database serves: a sender's history is there over the API.
      const restored = await ServerProcess.start({ ...restoredEnv, LOG_LEVEL: 'warn' });
      try {
        // The first message, reached as the messenger would: the newest page, then older ones by cursor.
        const headers = { authorization: `Bearer ${sessions[0]}` };
        const history = await fetch(`${restored.http}/v1/client/conversations`, { headers });
        expect(history.status).toBe(200);
        const [conversation] = (await history.json()).data as {
          id: string;
          messages: { text: string }[];
          messagesCursor: string | null;
        }[];
        const texts = conversation!.messages.map((m) => m.text);
        for (let cursor = conversation!.messagesCursor; cursor; ) {
          const page = await fetch(
            `${restored.http}/v1/client/conversations/${conversation!.id}/messages?limit=200&before=${cursor}`,
            { headers },
          ).then((r) => r.json());
          texts.push(...page.data.map((m: { text: string }) => m.text));
          cursor = page.nextCursor;
        }
        expect(texts).toContain('s0 n0');
      } finally {
        await restored.stop();
      }
    } finally {
      stop = true;
      await server.stop();
    }
  }, 90_000);

  it('refuses to overwrite: a backup onto an existing file, a restore onto a database without --force', async () => {
    const env = {
      DATA_DIR: tempDir('refuse'),
      SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
    };
    expect((await run(env, 'api-tokens', 'create', '--name', 'x')).code).toBe(0);
    const file = join(tempDir('refuse-backup'), 'b.db');
    expect((await run(env, 'backup', file)).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await run(env, 'backup', file, '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.err).error.code).toBe('conflict');

    const refused = await run(env, 'restore', file);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('--force');
    const done = JSON.parse((await run(env, 'restore', file, '--force', '--json')).out);
    expect(existsSync(`${done.kept}`)).toBe(true);

    const broken = join(tempDir('broken'), 'not-a-db');
    writeFileSync(broken, 'not sqlite');
    const notDb = await run(env, 'restore', broken, '--force', '--json');
    expect(notDb.code).toBe(1);
    expect(JSON.parse(notDb.err).error.code).toBe('bad_request');
  });

  it('on PostgreSQL, names pg_dump and pg_restore instead', async () => {
    const env = {
      DATABASE_URL: 'postgres://127.0.0.1:1/none',
      SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
    };
    const backup = await run(env, 'backup', '/tmp/x.dump');
    expect(backup.code).toBe(1);
    expect(backup.err).toContain('pg_dump --format=custom');
    expect((await run(env, 'restore', '/tmp/x.dump')).err).toContain('pg_restore');
  });
});
