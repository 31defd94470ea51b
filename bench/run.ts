/**
 * `npm run bench [-- --quick] [-- --only login,messages,sockets,growth,help_search,help_page,webhooks]`: each scenario against a freshly
 * started server on 127.0.0.1, its bare baseline measured in the same run, a table on
 * stdout and `bench/results/latest.json` for anyone to read without the code.
 */
import { parseArgs } from 'node:util';
import { printTable, type ScenarioResult, writeResults } from './lib/results.ts';
import { growthScenarios } from './scenarios/growth.ts';
import { helpPageScenarios } from './scenarios/help-page.ts';
import { helpSearchScenarios } from './scenarios/help-search.ts';
import { loginScenarios } from './scenarios/login.ts';
import { messageScenarios } from './scenarios/messages.ts';
import { socketScenarios } from './scenarios/sockets.ts';
import { webhookScenarios } from './scenarios/webhooks.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, only: { type: 'string' }, out: { type: 'string' } },
});
const quick = values.quick ?? false;
const startedAt = new Date();
const scenarios: ScenarioResult[] = [];
const wanted = (name: string) => !values.only || values.only.split(',').includes(name);

if (wanted('login')) {
  const sizes = quick
    ? { seconds: 2, concurrency: 16, rate: 100 }
    : { seconds: 10, concurrency: 32, rate: 200 };
  scenarios.push(...(await loginScenarios({ ...sizes, label: 'SQLite' })));
  const pgUrl = process.env.BENCH_DATABASE_URL;
  if (pgUrl) scenarios.push(...(await loginScenarios({ ...sizes, label: 'PostgreSQL', databaseUrl: pgUrl })));
}

if (wanted('messages')) {
  const sizes = quick
    ? { idleSockets: 200, senders: 8, seconds: 3, rate: 200, inflight: 4 }
    : { idleSockets: 5000, senders: 16, seconds: 10, rate: 500, inflight: 4 };
  scenarios.push(...(await messageScenarios({ ...sizes, label: 'SQLite' })));
  const pgUrl = process.env.BENCH_DATABASE_URL;
  const redisUrl = process.env.BENCH_REDIS_URL;
  if (pgUrl)
    scenarios.push(...(await messageScenarios({ ...sizes, label: 'PostgreSQL', databaseUrl: pgUrl })));
  if (pgUrl && redisUrl)
    scenarios.push(
      ...(await messageScenarios({ ...sizes, label: 'PostgreSQL + Redis', databaseUrl: pgUrl, redisUrl })),
    );
}

if (wanted('sockets')) {
  scenarios.push(
    ...(await socketScenarios(
      quick
        ? { sizes: [200, 1000], maxSockets: 2000, socketsPerSession: 50 }
        : { sizes: [1000, 10_000], maxSockets: 19_000, socketsPerSession: 50 },
    )),
  );
}

if (wanted('growth')) {
  scenarios.push(
    ...(await growthScenarios(
      quick
        ? { sizes: [1000, 10_000], rate: 50, seconds: 2 }
        : { sizes: [1000, 100_000, 1_000_000], rate: 100, seconds: 10 },
    )),
  );
}

if (wanted('webhooks')) {
  const sizes = quick ? { events: 1000, rate: 50, seconds: 3 } : { events: 5000, rate: 100, seconds: 10 };
  scenarios.push(...(await webhookScenarios({ ...sizes, label: 'SQLite' })));
  const pgUrl = process.env.BENCH_DATABASE_URL;
  if (pgUrl)
    scenarios.push(...(await webhookScenarios({ ...sizes, label: 'PostgreSQL', databaseUrl: pgUrl })));
}

if (wanted('help_search')) {
  const sizes = { articles: 10_000, queries: quick ? 200 : 1000 };
  scenarios.push(...(await helpSearchScenarios({ ...sizes, label: 'SQLite' })));
  const pgUrl = process.env.BENCH_DATABASE_URL;
  if (pgUrl)
    scenarios.push(...(await helpSearchScenarios({ ...sizes, label: 'PostgreSQL', databaseUrl: pgUrl })));
}

if (wanted('help_page')) scenarios.push(...(await helpPageScenarios({ requests: quick ? 300 : 2000 })));

printTable(scenarios);
const path = writeResults(scenarios, startedAt, values.out ?? (quick ? 'quick.json' : 'latest.json'));
console.log(`wrote ${path}`);
