import { DEFAULT_SETTINGS, type PatchSettingsBody, type Settings } from '@signet/protocol';
import { validateBotFlow } from '../bot/validate-flow.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/executor.ts';
import { readSettingValues, writeSettingValues } from './settings.repository.ts';

/** Settings are few and read on hot paths; each is a JSON value under its own key. */
export async function getSettings(db: Executor): Promise<Settings> {
  const stored = await readSettingValues(db);
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS)) {
    const value = stored[key];
    if (value !== undefined) settings[key] = JSON.parse(value);
  }
  return settings as Settings;
}

/**
 * Settings as hot paths read them (every login, every send, every cross-origin
 * request): from memory for up to a second, so another node's change is seen within
 * that second and this node's at once.
 */
export async function currentSettings(ctx: AppContext, db: Executor = ctx.storage.db): Promise<Settings> {
  const cached = cache.get(ctx.storage);
  if (cached && cached.until > ctx.now()) return cached.settings;
  const settings = await getSettings(db);
  cache.set(ctx.storage, { settings, until: ctx.now() + 1000 });
  return settings;
}

const cache = new WeakMap<object, { settings: Settings; until: number }>();

export async function updateSettings(ctx: AppContext, patch: PatchSettingsBody): Promise<Settings> {
  if (patch.botFlow) validateBotFlow(patch.botFlow);
  cache.delete(ctx.storage);
  return ctx.storage.db.transaction().execute(async (trx) => {
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) values[key] = JSON.stringify(value);
    }
    await writeSettingValues(trx, values);
    return getSettings(trx);
  });
}
