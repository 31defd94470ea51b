import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { openStorage, type StorageOptions, storageOptionsFor } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { MasterKey } from './master-key.ts';
import { instrumentBus } from './metrics/instrument-bus.ts';
import { checkMasterKey } from './ops/master-key-check.ts';
import { type EventBus, MemoryEventBus } from './realtime/event-bus.ts';
import { RedisEventBus } from './realtime/redis-event-bus.ts';

export type Runtime = AppContext & { close(): Promise<void> };

/** Storage (migrated), master key and bus: everything routes need, in that order. */
export async function startRuntime(config: Config, storageOptions?: StorageOptions): Promise<Runtime> {
  const options = storageOptions ?? storageOptionsFor(config.databaseUrl, config.dataDir);
  const storage = openStorage(
    options.dialect === 'sqlite' ? { synchronous: config.sqliteSynchronous, ...options } : options,
  );
  try {
    await migrateToLatest(storage.db);
  } catch (error) {
    await storage.close();
    throw error;
  }
  const masterKey = config.masterKey
    ? MasterKey.parse(config.masterKey)
    : MasterKey.loadOrCreate(config.dataDir);
  try {
    // A node with another master key would answer every login it cannot verify with 503s.
    await checkMasterKey(storage.db, masterKey, config.masterKey ? 'env' : 'file', Date.now());
  } catch (error) {
    await storage.close();
    throw error;
  }
  let bus: EventBus;
  try {
    bus = config.redisUrl ? await RedisEventBus.connect(config.redisUrl) : new MemoryEventBus();
  } catch (error) {
    await storage.close();
    throw new Error('cannot reach Redis at REDIS_URL', { cause: error });
  }
  bus = instrumentBus(bus);
  return {
    config,
    storage,
    masterKey,
    bus,
    now: Date.now,
    async close() {
      await bus.close();
      await storage.close();
    },
  };
}
