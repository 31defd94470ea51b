import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type SqliteDatabase as KyselySqlite, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { Checkpointer } from './checkpointer.ts';
import type { Database } from './schema.ts';

const CHECKPOINT_EVERY_MS = 50;

export type Dialect = 'sqlite' | 'postgres';

/**
 * `full` (the default) syncs the WAL at every commit, so an acknowledged message
 * survives a power cut, not only a crash; `normal` (SQLITE_SYNCHRONOUS=normal) syncs at
 * checkpoints only: faster, and a power cut may lose the last commits.
 */
export type SqliteSynchronous = 'full' | 'normal';

export type Storage = {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
};

// Epoch-millisecond columns are bigint in PostgreSQL; they fit a double exactly.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type StorageOptions =
  | { dialect: 'sqlite'; file: string; synchronous?: SqliteSynchronous }
  | { dialect: 'postgres'; url: string; schema?: string; poolSize?: number };

export function storageOptionsFor(databaseUrl: string | undefined, dataDir: string): StorageOptions {
  if (databaseUrl) return { dialect: 'postgres', url: databaseUrl };
  mkdirSync(dataDir, { recursive: true });
  return { dialect: 'sqlite', file: join(dataDir, 'signet.db') };
}

export function openStorage(options: StorageOptions): Storage {
  if (options.dialect === 'sqlite') {
    const sqlite = new SqliteDatabase(options.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // Checkpoints run on a worker thread (checkpointer.ts), never inside a commit here;
    // if that worker dies, SQLite's own checkpoints come back.
    sqlite.pragma('wal_autocheckpoint = 0');
    // When the WAL starts over, its file is cut back to 64 MB rather than kept at its peak.
    sqlite.pragma('journal_size_limit = 67108864');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    const checkpointer = new Checkpointer(
      options.file,
      CHECKPOINT_EVERY_MS,
      // Through Kysely, so it waits for any open transaction to finish.
      async () => void (await sql`pragma wal_checkpoint(PASSIVE)`.execute(db)),
      () => {
        if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
      },
    );
    return {
      db,
      dialect: 'sqlite',
      ping: () => ping(db),
      async close() {
        await checkpointer.close();
        await db.destroy();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A connection PostgreSQL drops (a restart, a failover) is an 'error' event on the pool
  // when idle, on the client when checked out between two statements of a transaction;
  // unheard, either crashes the process. The query in flight fails on its own, and the
  // pool discards a dead connection and opens a fresh one (test/ops-faults.test.ts).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', ping: () => ping(db), close: () => db.destroy() };
}

/**
 * Kysely prepares every query anew; on SQLite preparing costs more than running the
 * statement. The query builder emits the same SQL text for the same query shape, so a
 * cache keyed by that text serves nearly every call (measured: bench/run.ts login).
 */
function withStatementCache(sqlite: SqliteDatabase.Database): KyselySqlite {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= 500) cache.clear();
        statement = sqlite.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
