import { DEFAULT_SETTINGS, type PatchSettingsBody, type Settings } from '@signet/protocol';
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

export async function updateSettings(ctx: AppContext, patch: PatchSettingsBody): Promise<Settings> {
  return ctx.storage.db.transaction().execute(async (trx) => {
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) values[key] = JSON.stringify(value);
    }
    await writeSettingValues(trx, values);
    return getSettings(trx);
  });
}
