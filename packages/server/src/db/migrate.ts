import { type Kysely, type Migration, type MigrationProvider, Migrator, PostgresAdapter, sql } from 'kysely';
import * as identity from './migrations/001-identity.ts';
import * as messaging from './migrations/002-messaging.ts';
import * as agentSessions from './migrations/003-agent-sessions.ts';
import * as bot from './migrations/004-bot.ts';
import * as sessions from './migrations/005-sessions.ts';
import * as help from './migrations/006-help.ts';
import * as webhooks from './migrations/007-webhooks.ts';
import * as meta from './migrations/008-meta.ts';
import * as identityJournal from './migrations/009-identity-journal.ts';
import * as helpSearch from './migrations/010-help-search.ts';
import * as helpSearchIndex from './migrations/011-help-search-index.ts';
import type { Database } from './schema.ts';

/** Migrations are listed here rather than read from disk, so bundling and tsx agree. */
const MIGRATIONS: Record<string, Migration> = {
  '001-identity': identity,
  '002-messaging': messaging,
  '003-agent-sessions': agentSessions,
  '004-bot': bot,
  '005-sessions': sessions,
  '006-help': help,
  '007-webhooks': webhooks,
  '008-meta': meta,
  '009-identity-journal': identityJournal,
  '010-help-search': helpSearch,
  '011-help-search-index': helpSearchIndex,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  // Kysely looks for its bookkeeping tables across every schema it can see; pin them to
  // ours, or a neighbour's tables in another schema would be taken for our own.
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(),
    // Features land in parallel, so a later-numbered migration may run before an earlier one.
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed`, { cause: error });
  }
}
