import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiToken } from '../../packages/server/src/agents/api-tokens.ts';
import { buildApp } from '../../packages/server/src/app.ts';
import { loadConfig } from '../../packages/server/src/config.ts';
import { startRuntime } from '../../packages/server/src/runtime.ts';
import { percentile } from '../lib/load.ts';
import { result, type ScenarioResult } from '../lib/results.ts';

const BODY = Array.from(
  { length: 40 },
  (_, i) =>
    `## Step ${i}\n\nOpen **Settings**, then [the page](https://example.com/${i}) and check \`option ${i}\`.\n`,
).join('\n');

/**
 * HELP.md: server time for a help-center article page (routing, the audience rule,
 * Markdown rendered and sanitized, the HTML page), measured through `app.inject`
 * beside the bare `/healthz` route in the same process and run.
 */
export async function helpPageScenarios(options: { requests: number }): Promise<ScenarioResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-help-page-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SIGNET_DEMO: '0',
    SIGNET_MASTER_KEY: randomBytes(32).toString('hex'),
  });
  const runtime = await startRuntime(config, { dialect: 'sqlite', file: join(dataDir, 'signet.db') });
  const app = await buildApp({ ctx: runtime });
  try {
    await app.ready();
    const { token } = await createApiToken(runtime, { name: 'bench' });
    const headers = { authorization: `Bearer ${token}` };
    const collection = (
      await app.inject({ method: 'POST', url: '/v1/collections', headers, payload: { title: 'Guides' } })
    ).json();
    const article = (
      await app.inject({
        method: 'POST',
        url: '/v1/articles',
        headers,
        payload: { collectionId: collection.id, title: 'Setting things up', body: BODY },
      })
    ).json();
    await app.inject({
      method: 'PATCH',
      url: `/v1/articles/${article.id}`,
      headers,
      payload: { status: 'published' },
    });

    const page: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < options.requests + 100; i++) {
      let start = performance.now();
      const response = await app.inject({ method: 'GET', url: `/help/articles/${article.id}` });
      const pageMs = performance.now() - start;
      if (response.statusCode !== 200) throw new Error(`help page answered ${response.statusCode}`);
      start = performance.now();
      await app.inject({ method: 'GET', url: '/healthz' });
      const bareMs = performance.now() - start;
      if (i < 100) continue; // warm-up
      page.push(pageMs);
      bare.push(bareMs);
    }
    return [
      result({
        name: 'help_page',
        metric: 'p50 ms',
        value: percentile(page, 50),
        baseline: percentile(bare, 50),
        target: 5,
        judge: 'value',
        higherIsBetter: false,
        notes: `SQLite, an article of ~${BODY.length} characters of Markdown, through app.inject; p99 ${percentile(page, 99).toFixed(2)} ms; baseline: /healthz in the same process`,
      }),
    ];
  } finally {
    await app.close();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
