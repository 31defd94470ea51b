import { join, resolve } from 'node:path';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { backupSqlite, restoreSqlite } from '../ops/backup.ts';

/**
 * `signet backup FILE` / `signet restore FILE [--force]` for SQLite. PostgreSQL has its
 * own tools, which do this better than we could: the answer names them.
 */
export async function runBackupCommand(
  command: 'backup' | 'restore',
  file: string,
  values: { force?: boolean | undefined },
  config: Config,
): Promise<{ json: unknown; text: string }> {
  if (config.databaseUrl) {
    throw new AppError(
      'bad_request',
      command === 'backup'
        ? 'DATABASE_URL is PostgreSQL: back up with pg_dump --format=custom --file=FILE "$DATABASE_URL" (docs/operations.md, Backups)'
        : 'DATABASE_URL is PostgreSQL: restore with pg_restore --clean --if-exists --dbname="$DATABASE_URL" FILE (docs/operations.md, Backups)',
    );
  }
  const databaseFile = join(config.dataDir, 'signet.db');
  if (command === 'backup') {
    const done = await backupSqlite(databaseFile, resolve(file));
    return {
      json: done,
      text: `backed up ${databaseFile} to ${done.file} (${done.pages} pages, ${done.messages} messages).\nKeep the master key too (SIGNET_MASTER_KEY or ${join(config.dataDir, 'master.key')}): the backup's secrets open only with it.`,
    };
  }
  const done = restoreSqlite(resolve(file), databaseFile, values.force === true);
  return {
    json: done,
    text: `restored ${done.file} from ${resolve(file)} (${done.messages} messages)${done.kept ? `; the previous database is at ${done.kept}` : ''}.`,
  };
}
