/**
 * The bare baseline for a login: a Fastify route that verifies the same HS256 token
 * with jose and writes one row (time-ordered id, like Signet's) to the same database,
 * nothing else. Signet's login
 * (resolution, session, auth log) is measured against this.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { jwtVerify } from 'jose';
import pg from 'pg';
import { newId } from '../../packages/server/src/ids.ts';

const secret = new TextEncoder().encode(process.env.BASELINE_SECRET!);
const insert = await openInsert();
const app = Fastify({ logger: false });

app.get('/healthz', async () => ({ status: 'ok' }));
app.post<{ Body: { jwt: string } }>('/login', async (request) => {
  const { payload } = await jwtVerify(request.body.jwt, secret, {
    algorithms: ['HS256'],
    clockTolerance: 60,
  });
  await insert(String(payload.external_id));
  return { ok: true };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });

async function openInsert(): Promise<(externalId: string) => Promise<void>> {
  if (process.env.DATABASE_URL) {
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
    const table = `baseline_logins_${process.pid}`;
    await pool.query(`create table ${table} (id text primary key, external_id text, created_at bigint)`);
    process.once('SIGTERM', async () => {
      await pool.query(`drop table ${table}`);
      process.exit(0);
    });
    return async (externalId) => {
      await pool.query(`insert into ${table} values ($1, $2, $3)`, [newId(), externalId, Date.now()]);
    };
  }
  mkdirSync(process.env.DATA_DIR!, { recursive: true });
  const db = new Database(join(process.env.DATA_DIR!, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table logins (id text primary key, external_id text, created_at integer)');
  const statement = db.prepare('insert into logins values (?, ?, ?)');
  process.once('SIGTERM', () => process.exit(0));
  return async (externalId) => {
    statement.run(newId(), externalId, Date.now());
  };
}
