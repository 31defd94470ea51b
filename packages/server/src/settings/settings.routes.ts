import { PatchSettingsBody, Settings } from '@signet/protocol';
import type { AppContext } from '../context.ts';
import { requireStaff } from '../http/access.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { getSettings, updateSettings } from './settings.ts';

export async function settingsRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  const admin = requireStaff(ctx, 'admin');
  const tags = ['settings'];
  app.get(
    '/v1/settings',
    { preHandler: admin, schema: { tags, response: responses({ 200: Settings }) } },
    async () => getSettings(ctx.storage.db),
  );
  app.patch(
    '/v1/settings',
    { preHandler: admin, schema: { tags, body: PatchSettingsBody, response: responses({ 200: Settings }) } },
    async (request) => updateSettings(ctx, request.body),
  );
}
