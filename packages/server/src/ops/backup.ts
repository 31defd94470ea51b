import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { AppError } from '../errors.ts';

/** Every page in one step: the whole copy is one read transaction, so one consistent moment. */
const ALL_PAGES = 0x7fffffff;

export type BackupResult = { file: string; pages: number; messages: number };

/**
 * An online backup of the SQLite database with SQLite's backup API, safe while the server
 * runs: in WAL mode a reader never blocks the writer, and copying all pages in one step
 * means the copy is the database as of one commit (a step-by-step copy restarts every
 * time the server writes). Written beside the target and renamed, so a half-written
 * backup never carries the target's name.
 */
export async function backupSqlite(databaseFile: string, target: string): Promise<BackupResult> {
  if (!existsSync(databaseFile)) throw new AppError('not_found', `no database at ${databaseFile}`);
  if (existsSync(target)) throw new AppError('conflict', `${target} exists; choose a new file name`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const source = new SqliteDatabase(databaseFile, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(partial, { progress: () => ALL_PAGES });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  // One self-contained file: no WAL beside it to lose when it is copied elsewhere.
  const copy = new SqliteDatabase(partial, { fileMustExist: true });
  copy.pragma('journal_mode = DELETE');
  copy.close();
  // Every message and user is in it: readable by the owner only, like master.key.
  chmodSync(partial, 0o600);
  const summary = verify(partial);
  renameSync(partial, target);
  return { file: target, ...summary };
}

/**
 * Puts a backup in place of the database. The server must be stopped: a running one
 * keeps the old file open. An existing database is kept beside it (`.before-restore-…`),
 * with its WAL, whose frames must never meet the restored file.
 */
export function restoreSqlite(
  backup: string,
  databaseFile: string,
  force: boolean,
): BackupResult & { kept?: string } {
  if (!existsSync(backup)) throw new AppError('not_found', `no backup at ${backup}`);
  const summary = verify(backup);
  let kept: string | undefined;
  if (existsSync(databaseFile)) {
    if (!force)
      throw new AppError(
        'conflict',
        `${databaseFile} exists. Stop every server using it, then run restore again with --force (the current database is kept beside it).`,
      );
    kept = `${databaseFile}.before-restore-${new Date().toISOString().replaceAll(':', '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(databaseFile + suffix)) renameSync(databaseFile + suffix, kept + suffix);
    }
  }
  mkdirSync(dirname(databaseFile), { recursive: true });
  const partial = `${databaseFile}.partial`;
  copyFileSync(backup, partial);
  renameSync(partial, databaseFile);
  return { file: databaseFile, ...summary, ...(kept ? { kept } : {}) };
}

/** A backup that fails SQLite's integrity check is refused, never put in place. */
function verify(file: string): { pages: number; messages: number } {
  try {
    return summarize(file);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('bad_request', `${file} is not a Signet SQLite database: ${(error as Error).message}`);
  }
}

function summarize(file: string): { pages: number; messages: number } {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new AppError('conflict', `${file} fails SQLite's integrity check: ${check}`);
    const pages = db.pragma('page_count', { simple: true }) as number;
    const { n } = db.prepare('select count(*) as n from messages').get() as { n: number };
    return { pages, messages: n };
  } finally {
    db.close();
  }
}
