import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import pg from 'pg';
import { Agent, request } from 'undici';
import { newId } from '../../packages/server/src/ids.ts';
import { adminToken, createSigningKey, turnBotOff } from '../lib/admin.ts';
import { percentile } from '../lib/load.ts';
import { freshSchema } from '../lib/postgres.ts';
import { signetEnv, startProcess } from '../lib/processes.ts';
import { result, type ScenarioResult } from '../lib/results.ts';
import { cpuSecondsOf } from '../lib/rss.ts';
import { BenchSocket } from '../lib/sockets.ts';

export type MessageOptions = {
  idleSockets: number;
  senders: number;
  seconds: number;
  rate: number;
  inflight: number;
  label: string;
  databaseUrl?: string;
  /** With Redis, two server processes share the database and fan out over the bus. */
  redisUrl?: string;
};

const agent = new Agent({ connections: 32 });
async function postJson(url: string, body: unknown, token?: string): Promise<Record<string, string>> {
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return (await response.body.json()) as Record<string, string>;
}

async function inBatches<T>(count: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += width) {
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(width, count - i) }, (_, j) => make(i + j)))),
    );
  }
  return out;
}

/**
 * Live messages user → agent and the user's second device, persisted and acknowledged,
 * with `idleSockets` authenticated sockets connected. Baselines in the same run: raw
 * single-row inserts of the same driver, and a bare `ws` relay with the same fan-out.
 *
 * With `redisUrl` (and PostgreSQL), two server processes share the database: each
 * sender's first device is on one node and its second device on the other, the agent
 * listens on the second node, and the idle sockets are split between them, so every
 * message crosses the bus to reach someone.
 */
export async function messageScenarios(options: MessageOptions): Promise<ScenarioResult[]> {
  const schema = options.databaseUrl ? await freshSchema(options.databaseUrl) : undefined;
  const env = {
    ...signetEnv(schema?.url),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    MESSAGE_RATE_PER_SECOND: '0',
    MAX_SOCKETS_PER_USER: '100',
  };
  const nodes = [await startProcess('packages/server/src/main.ts', env)];
  if (options.redisUrl) nodes.push(await startProcess('packages/server/src/main.ts', env));
  const first = nodes[0]!;
  const last = nodes[nodes.length - 1]!;
  const wsBase = (i: number) => nodes[i % nodes.length]!.url.replace('http', 'ws');
  const open: BenchSocket[] = [];
  try {
    const apiToken = adminToken(env);
    const key = await createSigningKey(first.url, apiToken);
    await turnBotOff(first.url, apiToken);
    const loginAs = async (externalId: string) => {
      const jwt = await new SignJWT({ scope: 'user', external_id: externalId, name: externalId })
        .setProtectedHeader({ alg: 'HS256', kid: key.kid })
        .sign(new TextEncoder().encode(key.secret));
      return (await postJson(`${first.url}/v1/client/login`, { jwt })).sessionToken as string;
    };

    // Idle, authenticated sockets: the crowd the active conversation must not slow down.
    await inBatches(options.idleSockets, 50, async (i) => {
      const socket = await BenchSocket.connect(`${wsBase(i)}/v1/client/ws`, {
        sessionToken: await loginAs(`idle-${i}`),
      });
      open.push(socket);
    });

    const agentSocket = await BenchSocket.connect(`${last.url.replace('http', 'ws')}/v1/ws`, { apiToken });
    open.push(agentSocket);
    const senders = await inBatches(options.senders, 8, async (i) => {
      const device1 = await BenchSocket.connect(`${wsBase(i)}/v1/client/ws`, {
        sessionToken: await loginAs(`sender-${i}`),
      });
      const device2 = await BenchSocket.connect(`${wsBase(i + 1)}/v1/client/ws`, {
        sessionToken: await loginAs(`sender-${i}`),
      });
      open.push(device1, device2);
      return { device1, device2 };
    });

    // Sustained: each sender keeps `inflight` messages unacknowledged.
    let acked = 0;
    let sequence = 0;
    const until = performance.now() + options.seconds * 1000;
    const startedAt = performance.now();
    const cpu = () => nodes.reduce((sum, node) => sum + cpuSecondsOf(node.process.pid!), 0);
    const cpuBefore = cpu();
    await Promise.all(
      senders.flatMap(({ device1 }) =>
        Array.from({ length: options.inflight }, async () => {
          while (performance.now() < until) {
            const clientMessageId = `s-${sequence++}`;
            const ack = device1.next(
              (f) => f.type === 'message.ack' && f.clientMessageId === clientMessageId,
            );
            device1.send({ type: 'message.send', text: 'sustained', clientMessageId });
            await ack;
            acked++;
          }
        }),
      ),
    );
    const sustained = acked / ((performance.now() - startedAt) / 1000);
    const cpuPerMessage = ((cpu() - cpuBefore) * 1e6) / acked;

    const signetLatency = await latencyAtRate(options, senders, agentSocket);

    const relay = await relayLatency(options);
    const inserts = schema ? await pgInserts(schema.url) : sqliteInserts();

    const p50 = percentile(signetLatency.latencies, 50);
    const p99 = percentile(signetLatency.latencies, 99);
    const relayP50 = percentile(relay.latencies, 50);
    const suffix = options.redisUrl ? '_postgres_redis' : options.databaseUrl ? '_postgres' : '';
    const where = nodes.length > 1 ? `${nodes.length} server processes, ` : '';
    const setting = `${options.label}, ${where}${options.idleSockets} idle authenticated sockets, ${options.senders} senders`;
    return [
      result({
        name: `message_sustained${suffix}`,
        metric: 'messages_per_s',
        value: sustained,
        baseline: inserts,
        target: 0.5,
        higherIsBetter: true,
        notes: `${setting}, ${options.inflight} in flight each; server CPU ${cpuPerMessage.toFixed(0)} µs per message; baseline: raw single-row inserts/s, same driver`,
      }),
      result({
        name: `message_added_p50_ms${suffix}`,
        metric: 'added_ms_p50',
        value: p50 - relayP50,
        baseline: relayP50,
        ratio: null,
        target: 2,
        higherIsBetter: false,
        notes: `${setting}, ${options.rate}/s: Signet p50 ${p50.toFixed(2)} ms vs bare ws relay p50 ${relayP50.toFixed(2)} ms; ${signetLatency.secondDevice} of ${signetLatency.latencies.length} also reached the second device`,
      }),
      result({
        name: `message_p99_ms${suffix}`,
        metric: 'p99_ms',
        value: p99,
        baseline: percentile(relay.latencies, 99),
        ratio: null,
        target: 25,
        higherIsBetter: false,
        notes: `${setting}, ${options.rate}/s, user → agent end to end; baseline: bare ws relay p99`,
      }),
    ];
  } finally {
    for (const socket of open) socket.close();
    await Promise.all(nodes.map((node) => node.stop()));
    await schema?.drop();
  }
}

type Sender = { device1: BenchSocket; device2: BenchSocket };

/** An open loop at `rate`: time from send to the agent's copy arriving. */
async function latencyAtRate(
  options: MessageOptions,
  senders: Sender[],
  listener: BenchSocket,
): Promise<{ latencies: number[]; secondDevice: number }> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let secondDevice = 0;
  const idOf = (f: { [k: string]: unknown }) =>
    (f.message as { clientMessageId?: string } | undefined)?.clientMessageId;
  listener.on((f) => {
    const id = f.type === 'message.created' ? idOf(f) : undefined;
    const t0 = id ? sentAt.get(id) : undefined;
    if (id && t0 !== undefined) latencies.push(performance.now() - t0);
  });
  for (const { device2 } of senders) {
    device2.on((f) => {
      const id = f.type === 'message.created' ? idOf(f) : undefined;
      if (id && sentAt.has(id)) secondDevice++;
    });
  }
  const total = Math.round(options.rate * options.seconds);
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const clientMessageId = `l-${i}-${Math.random().toString(36).slice(2, 8)}`;
    sentAt.set(clientMessageId, performance.now());
    senders[i % senders.length]!.device1.send({ type: 'message.send', text: 'latency', clientMessageId });
  }
  const deadline = performance.now() + 10_000;
  while (latencies.length < total && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  if (latencies.length < total)
    throw new Error(`only ${latencies.length} of ${total} messages reached the agent`);
  return { latencies, secondDevice };
}

async function relayLatency(options: MessageOptions): Promise<{ latencies: number[] }> {
  const relay = await startProcess('bench/baseline/ws-relay.ts', {}, null);
  const base = `ws://127.0.0.1:${relay.port}`;
  const sockets: BenchSocket[] = [];
  try {
    const listener = await BenchSocket.connect(`${base}/listen/agent`);
    sockets.push(listener);
    const senders = await inBatches(options.senders, 8, async (i) => {
      const device2 = await BenchSocket.connect(`${base}/listen/${i}`);
      const device1 = await BenchSocket.connect(`${base}/send/${i}`);
      sockets.push(device1, device2);
      return { device1, device2 };
    });
    return await latencyAtRate(options, senders, listener);
  } finally {
    for (const socket of sockets) socket.close();
    await relay.stop();
  }
}

/** Single-row inserts/s into a messages-shaped table, better-sqlite3 with Signet's pragmas. */
function sqliteInserts(): number {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'signet-raw-')), 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table messages (id text primary key, conversation_id text, text text, created_at integer)');
  const insert = db.prepare('insert into messages values (?, ?, ?, ?)');
  const until = performance.now() + 2000;
  let n = 0;
  const started = performance.now();
  while (performance.now() < until) {
    insert.run(newId(), 'c', 'sustained', Date.now());
    n++;
  }
  db.close();
  return n / ((performance.now() - started) / 1000);
}

async function pgInserts(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const table = `raw_messages_${process.pid}`;
  await pool.query(
    `create table ${table} (id text primary key, conversation_id text, text text, created_at bigint)`,
  );
  let n = 0;
  const until = performance.now() + 3000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (performance.now() < until) {
        await pool.query(`insert into ${table} values ($1, $2, $3, $4)`, [
          newId(),
          'c',
          'sustained',
          Date.now(),
        ]);
        n++;
      }
    }),
  );
  const rate = n / ((performance.now() - started) / 1000);
  await pool.query(`drop table ${table}`);
  await pool.end();
  return rate;
}
