import { execFileSync } from 'node:child_process';
import { request } from 'undici';
import { ROOT } from './processes.ts';

/** An admin API token for a bench server, made with the CLI against the server's own storage. */
export function adminToken(env: Record<string, string>): string {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'packages/server/src/cli/main.ts',
      'api-tokens',
      'create',
      '--name',
      'bench',
      '--json',
    ],
    { cwd: ROOT, env: { ...process.env, ...env } },
  );
  return JSON.parse(out.toString()).token;
}

/** A signing key through the API: `{kid, secret}`. */
export async function createSigningKey(
  base: string,
  apiToken: string,
): Promise<{ kid: string; secret: string }> {
  const response = await request(`${base}/v1/signing-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench' }),
  });
  return (await response.body.json()) as { kid: string; secret: string };
}

/** The message benchmark measures the message path alone: the bot, which answers new conversations, is off. */
export async function turnBotOff(base: string, apiToken: string): Promise<void> {
  const response = await request(`${base}/v1/settings`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ botFlow: { steps: [] } }),
  });
  await response.body.dump();
  if (response.statusCode !== 200) throw new Error(`could not turn the bot off: ${response.statusCode}`);
}
