import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as identity from './migrations/001-identity.ts';
import * as messaging from './migrations/002-messaging.ts';
import type { Database } from './schema.ts';

/** Migrations are listed here rather than read from disk, so bundling and tsx agree. */
const MIGRATIONS: Record<string, Migration> = {
  '001-identity': identity,
  '002-messaging': messaging,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed`, { cause: error });
  }
}
