import { createServer, type Server } from 'node:http';
import { Agent, request } from 'undici';
import { adminToken, turnBotOff } from '../lib/admin.ts';
import { fixedRate, percentile } from '../lib/load.ts';
import { freshSchema } from '../lib/postgres.ts';
import { signetEnv, startProcess } from '../lib/processes.ts';
import { result, type ScenarioResult } from '../lib/results.ts';

export type WebhookOptions = {
  /** Events queued at once for the throughput figure. */
  events: number;
  /** Messages per second, and for how long, for the latency figure. */
  rate: number;
  seconds: number;
  databaseUrl?: string;
  label: string;
};

type Arrival = { at: number; body: string; headers: Record<string, string> };

/** A receiver that answers 200 at once and notes when each body arrived. */
async function startReceiver(): Promise<{ server: Server; url: string; arrivals: Arrival[] }> {
  const arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push({
        at: Date.now(),
        body: Buffer.concat(chunks).toString(),
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      });
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, arrivals };
}

const agent = new Agent({ connections: 64, pipelining: 1 });
async function call(url: string, method: 'POST' | 'PATCH', body: unknown, token?: string) {
  const response = await request(url, {
    method,
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: response.statusCode,
    body: (await response.body.json()) as { id?: string; queued?: number; sessionToken?: string },
  };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('webhook deliveries did not all arrive');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Webhook deliveries to a local receiver that answers at once, beside a bare loop that
 * POSTs the same bodies with the same headers from this process: throughput with a full
 * outbox (the events are replayed at once), then the latency from commit to arrival at
 * a fixed message rate (the event's createdAt is stamped inside its transaction).
 */
export async function webhookScenarios(options: WebhookOptions): Promise<ScenarioResult[]> {
  const schema = options.databaseUrl ? await freshSchema(options.databaseUrl) : undefined;
  const env = { ...signetEnv(schema?.url), WEBHOOK_ALLOW_PRIVATE: '1', MESSAGE_RATE_PER_SECOND: '0' };
  const signet = await startProcess('packages/server/src/main.ts', env);
  const receiver = await startReceiver();
  try {
    const token = adminToken(env);
    await turnBotOff(signet.url, token);
    const endpoint = await call(
      `${signet.url}/v1/webhooks`,
      'POST',
      { url: receiver.url, events: ['message.created'] },
      token,
    );
    if (endpoint.status !== 201) throw new Error(`could not create the endpoint: ${endpoint.status}`);
    const sessions = await Promise.all(
      Array.from(
        { length: 32 },
        async () => (await call(`${signet.url}/v1/client/sessions`, 'POST', {})).body,
      ),
    );
    let sent = 0;
    const send = async (i: number) => {
      const session = sessions[i % sessions.length]!;
      const r = await call(
        `${signet.url}/v1/client/messages`,
        'POST',
        { text: `bench message ${i}`, clientMessageId: `m-${sent++}` },
        session.sessionToken,
      );
      return r.status === 201;
    };

    // Throughput: events stored while the endpoint is off, then replayed all at once.
    const webhook = `${signet.url}/v1/webhooks/${endpoint.body.id}`;
    await call(webhook, 'PATCH', { enabled: false }, token);
    const since = new Date(Date.now() - 1000).toISOString();
    // Exactly `events` sends, 16 at a time (a closed loop for a fixed time would spin once they are in).
    let nextEvent = 0;
    let storedEvents = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (nextEvent < options.events) if (await send(nextEvent++)) storedEvents++;
      }),
    );
    if (storedEvents < options.events) throw new Error('could not store the events');
    await call(webhook, 'PATCH', { enabled: true }, token);
    const t0 = Date.now();
    const replay = await call(`${webhook}/replay`, 'POST', { since }, token);
    if (replay.body.queued !== options.events) throw new Error(`replay queued ${replay.body.queued}`);
    await until(() => receiver.arrivals.length >= options.events, 120_000);
    const webhookPerSecond = options.events / ((receiver.arrivals.at(-1)!.at - t0) / 1000);
    const bodies = receiver.arrivals.splice(0);

    const bare = async (i: number) => {
      const { body, headers } = bodies[i % bodies.length]!;
      const response = await request(receiver.url, {
        method: 'POST',
        dispatcher: agent,
        headers: {
          'content-type': 'application/json',
          'webhook-id': headers['webhook-id']!,
          'webhook-timestamp': headers['webhook-timestamp']!,
          'webhook-signature': headers['webhook-signature']!,
        },
        body,
      });
      await response.body.dump();
      return response.statusCode === 200;
    };
    const b0 = Date.now();
    for (let i = 0; i < options.events; i += 16)
      await Promise.all(Array.from({ length: Math.min(16, options.events - i) }, (_, j) => bare(i + j)));
    const barePerSecond = options.events / ((Date.now() - b0) / 1000);
    receiver.arrivals.splice(0);

    // Latency: commit (createdAt, stamped in the transaction) → arrival, at a fixed rate.
    const load = await fixedRate(options.rate, options.seconds, send);
    if (load.errors > 0) throw new Error(`${load.errors} messages failed`);
    const expected = Math.round(options.rate * options.seconds);
    await until(() => receiver.arrivals.length >= expected, 30_000);
    const lags = receiver.arrivals.map((a) => a.at - Date.parse(JSON.parse(a.body).createdAt as string));
    const sample = receiver.arrivals.splice(0);
    const bareLags: number[] = [];
    await fixedRate(options.rate, options.seconds, async (i) => {
      const started = Date.now();
      const ok = await bare(i % sample.length);
      bareLags.push(receiver.arrivals.at(-1)!.at - started);
      return ok;
    });
    const db = options.databaseUrl ? '_postgres' : '';
    const p = (values: number[], q: number) => percentile(values, q);
    return [
      result({
        name: `webhook_throughput${db}`,
        metric: 'deliveries_per_s',
        value: webhookPerSecond,
        baseline: barePerSecond,
        target: 0.25,
        higherIsBetter: true,
        notes: `${options.label}: ${options.events} events replayed at once to one endpoint (at most 16 in flight per endpoint); baseline: the same bodies POSTed 16 at a time`,
      }),
      result({
        name: `webhook_latency${db}`,
        metric: 'commit_to_delivery_p50_ms',
        value: p(lags, 50),
        baseline: p(bareLags, 50),
        ratio: null,
        target: 100,
        higherIsBetter: false,
        notes: `${options.label}, ${options.rate} messages/s for ${options.seconds} s: p50 ${p(lags, 50)} ms, p99 ${p(lags, 99)} ms from commit to arrival (bare POST p50 ${p(bareLags, 50)} ms, p99 ${p(bareLags, 99)} ms)`,
      }),
    ];
  } finally {
    await signet.stop();
    receiver.server.closeAllConnections();
    receiver.server.close();
    await schema?.drop();
  }
}
