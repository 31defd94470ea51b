import type { Config } from './config.ts';
import type { Storage } from './db/database.ts';
import type { MasterKey } from './master-key.ts';
import type { EventBus } from './realtime/event-bus.ts';

/** The infrastructure every verb may use: storage, the master key, the event bus, a clock. */
export type AppContext = {
  config: Config;
  storage: Storage;
  masterKey: MasterKey;
  bus: EventBus;
  now: () => number;
};
