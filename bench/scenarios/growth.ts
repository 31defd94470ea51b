import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import { Agent, request } from 'undici';
import { newId } from '../../packages/server/src/ids.ts';
import { fixedRate, percentile } from '../lib/load.ts';
import { ROOT, signetEnv, startProcess } from '../lib/processes.ts';
import { result, type ScenarioResult } from '../lib/results.ts';

export type GrowthOptions = { sizes: number[]; rate: number; seconds: number };

const SAMPLE = 200;
const MESSAGES_PER_CONVERSATION = 10;
const agent = new Agent({ connections: 16 });

/**
 * Bulk rows straight into the database the server will open (after its migrations ran):
 * `size` users with external ids, and `size` messages in conversations of ten, plus
 * session tokens for a sample of them.
 */
function seed(file: string, size: number): { sessions: string[]; kid: string } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const now = Date.now() - 86_400_000;
  const insertUser = db.prepare(
    'insert into users (id, name, anonymous, authenticated, last_authenticated_at, created_at, updated_at) values (?, ?, 0, 1, ?, ?, ?)',
  );
  const insertIdentity = db.prepare(
    "insert into identities (id, user_id, type, value, normalized, verified, is_primary, source, created_at) values (?, ?, 'external_id', ?, ?, 1, 1, 'jwt', ?)",
  );
  const insertConversation = db.prepare(
    "insert into conversations (id, user_id, status, channel, created_at, updated_at, last_message_at, activity_at) values (?, ?, 'open', 'messenger', ?, ?, ?, ?)",
  );
  const insertMessage = db.prepare(
    "insert into messages (id, conversation_id, user_id, author_type, author_id, author_name, text, authenticated, client_message_id, created_at) values (?, ?, ?, 'user', ?, ?, ?, 1, ?, ?)",
  );
  const insertSession = db.prepare(
    'insert into client_sessions (id, token_hash, user_id, authenticated, created_at) values (?, ?, ?, 1, ?)',
  );
  const conversations = Math.max(SAMPLE, Math.floor(size / MESSAGES_PER_CONVERSATION));
  const sessions: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < size; i++) {
      const t = now + i;
      const userId = newId(t);
      insertUser.run(userId, `User ${i}`, t, t, t);
      insertIdentity.run(newId(t), userId, `g-${i}`, `g-${i}`, t);
      if (i < conversations) {
        const conversationId = newId(t);
        insertConversation.run(conversationId, userId, t, t, t, t);
        for (let m = 0; m < MESSAGES_PER_CONVERSATION; m++) {
          insertMessage.run(
            newId(t),
            conversationId,
            userId,
            userId,
            `User ${i}`,
            `message ${m}`,
            `s-${i}-${m}`,
            t,
          );
        }
      }
      if (i < SAMPLE) {
        const token = `sst_${randomBytes(32).toString('base64url')}`;
        insertSession.run(newId(t), createHash('sha256').update(token).digest('base64url'), userId, t);
        sessions.push(token);
      }
    }
  })();
  const kid = (db.prepare('select kid from signing_keys limit 1').get() as { kid: string }).kid;
  db.close();
  return { sessions, kid };
}

/**
 * Login and history latency as the database grows: p50 at a fixed rate with `size`
 * users and messages, for each size. The figure is p50 at the largest size over p50 at
 * the smallest: 1 means size does not matter.
 *
 * One server per size runs at once, and the sizes are measured in turns, one second
 * each, for `seconds` rounds: drift on a shared machine (another tenant, a warm cache)
 * then lands on every size alike instead of on whichever was measured at that moment.
 */
export async function growthScenarios(options: GrowthOptions): Promise<ScenarioResult[]> {
  const servers: { size: number; call: Call; tokens: string[]; sessions: string[]; stop(): Promise<void> }[] =
    [];
  try {
    for (const size of options.sizes) {
      const env = signetEnv();
      const first = await startProcess('packages/server/src/main.ts', env);
      const created = JSON.parse(
        execFileSync(
          `${ROOT}/node_modules/.bin/tsx`,
          ['packages/server/src/cli/main.ts', 'keys', 'create', '--name', 'growth', '--json'],
          { cwd: ROOT, env: { ...process.env, ...env } },
        ).toString(),
      ) as { kid: string; secret: string };
      await first.stop();
      const { sessions } = seed(join(env.DATA_DIR!, 'signet.db'), size);
      const signet = await startProcess('packages/server/src/main.ts', env);
      const tokens = await Promise.all(
        Array.from({ length: SAMPLE }, (_, i) =>
          new SignJWT({ scope: 'user', external_id: `g-${Math.floor((i * size) / SAMPLE)}` })
            .setProtectedHeader({ alg: 'HS256', kid: created.kid })
            .sign(new TextEncoder().encode(created.secret)),
        ),
      );
      servers.push({ size, call: caller(signet.url), tokens, sessions, stop: () => signet.stop() });
    }

    const latencies = servers.map(() => ({ login: [] as number[], history: [] as number[] }));
    for (const { call, tokens, sessions } of servers) {
      for (let i = 0; i < 50; i++) {
        await call('POST', '/v1/client/login', { jwt: tokens[i % SAMPLE] });
        await call('GET', '/v1/client/conversations', undefined, sessions[i % SAMPLE]);
      }
    }
    for (let round = 0; round < options.seconds; round++) {
      for (const [s, { size, call, tokens, sessions }] of servers.entries()) {
        const login = await fixedRate(options.rate, 1, (i) =>
          call('POST', '/v1/client/login', { jwt: tokens[(round * options.rate + i) % SAMPLE] }),
        );
        const history = await fixedRate(options.rate, 1, (i) =>
          call('GET', '/v1/client/conversations', undefined, sessions[(round * options.rate + i) % SAMPLE]),
        );
        if (login.errors || history.errors)
          throw new Error(`growth at ${size}: ${login.errors} login and ${history.errors} history errors`);
        latencies[s]!.login.push(...login.latenciesMs);
        latencies[s]!.history.push(...history.latenciesMs);
      }
    }
    const rows = servers.map(({ size }, s) => ({
      size,
      login: percentile(latencies[s]!.login, 50),
      history: percentile(latencies[s]!.history, 50),
    }));
    return growthResults(options, rows);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

type Call = (method: 'GET' | 'POST', path: string, body?: unknown, token?: string) => Promise<boolean>;

function caller(base: string): Call {
  return async (method, path, body, token) => {
    const response = await request(`${base}${path}`, {
      method,
      dispatcher: agent,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    await response.body.dump();
    return response.statusCode === 200;
  };
}

function growthResults(
  options: GrowthOptions,
  rows: { size: number; login: number; history: number }[],
): ScenarioResult[] {
  const figure = (key: 'login' | 'history', name: string, what: string) => {
    const ratio = rows.at(-1)![key] / rows[0]![key];
    const bySize = rows.map((r) => `${r.size.toLocaleString('en')}: ${r[key].toFixed(2)} ms`).join(', ');
    return result({
      name,
      metric: 'p50_ratio_largest_to_smallest',
      value: ratio,
      baseline: null,
      ratio,
      target: 1.25,
      higherIsBetter: false,
      notes: `${what} p50 at ${options.rate}/s (sizes measured in turns, ${options.seconds} rounds of 1 s): ${bySize}`,
    });
  };
  return [
    figure('login', 'growth_login', 'returning-user login by users in the database'),
    figure('history', 'growth_history', 'messenger history by messages in the database'),
  ];
}
