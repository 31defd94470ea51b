import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsListener } from '../src/metrics/metrics.routes.ts';
import { freePort } from './cluster.ts';
import { anonymousSession, login, seedHistory } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';
import { type Family, parsePrometheusText, sampleValue } from './prometheus-text.ts';
import { TestSocket } from './ws-client.ts';

describe('metrics are off by default', () => {
  it('GET /metrics is 404 without METRICS=1, even for an admin', async () => {
    const server = await startTestServer('sqlite');
    try {
      const response = await server.request('GET', '/metrics', { token: server.adminToken });
      expect(response.statusCode).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe.each(DATABASES)('/metrics on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind, { METRICS: '1' });
  });
  afterAll(() => server.close());

  const scrape = async (): Promise<Map<string, Family>> => {
    const response = await server.request('GET', '/metrics', { token: server.adminToken });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(response.body);
  };

  it('on the main port it needs an admin API token', async () => {
    expect((await server.request('GET', '/metrics')).statusCode).toBe(401);
    expect((await server.request('GET', '/metrics', { token: server.agentToken })).statusCode).toBe(403);
  });

  it('parses strictly and carries every family the operations guide names', async () => {
    const families = await scrape();
    for (const [name, type] of [
      ['signet_login_attempts_total', 'counter'],
      ['signet_sessions_ended_total', 'counter'],
      ['signet_messages_stored_total', 'counter'],
      ['signet_sockets_open', 'gauge'],
      ['signet_event_fanout_seconds', 'histogram'],
      ['signet_group_commit_batch_size', 'histogram'],
      ['signet_http_requests_total', 'counter'],
      ['signet_database_up', 'gauge'],
      ['signet_redis_up', 'gauge'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
    ] as const) {
      expect(families.get(name)?.type, name).toBe(type);
    }
    expect(sampleValue(families, 'signet_database_up')).toBe(1);
  });

  it('every series the Grafana dashboard and the operations guide query exists', async () => {
    const families = await scrape();
    const root = resolve(import.meta.dirname, '../../..');
    const dashboard = JSON.parse(readFileSync(join(root, 'docs/grafana-dashboard.json'), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
      p.targets.map((t) => t.expr),
    );
    const guide = readFileSync(join(root, 'docs/operations.md'), 'utf8');
    const names = new Set(
      [...exprs, guide]
        .flatMap((text) => text.match(/\b(signet|process|nodejs)_[a-z0-9_]+/g) ?? [])
        .map((name) => name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(names.size).toBeGreaterThan(10);
    const missing = [...names].filter((name) => !families.has(name));
    expect(missing).toEqual([]);
  });

  it('counts a successful login and one refused for bad_signature, each under its reason', async () => {
    const key = await server.createKey();
    const ok = { outcome: 'ok', reason: 'ok' };
    const bad = { outcome: 'failed', reason: 'bad_signature' };
    const before = await scrape();

    const externalId = uniqueExternalId();
    expect((await login(server, await signUserToken(key, { external_id: externalId }))).statusCode).toBe(200);
    const forged = await signUserToken(
      { kid: key.kid, secret: 'not-the-secret' },
      { external_id: externalId },
    );
    const refused = await login(server, forged);
    expect(refused.json().error.reason).toBe('bad_signature');

    const after = await scrape();
    const delta = (labels: Record<string, string>) =>
      sampleValue(after, 'signet_login_attempts_total', labels) -
      sampleValue(before, 'signet_login_attempts_total', labels);
    expect(delta(ok)).toBe(1);
    expect(delta(bad)).toBe(1);
  });

  it('counts stored messages (not idempotent retries), batches, and requests by route template', async () => {
    const before = await scrape();
    const { sessionToken } = await anonymousSession(server);
    await seedHistory(server, sessionToken, 'hello');
    const body = { text: 'once', clientMessageId: `m-${Date.now()}` };
    for (let i = 0; i < 2; i++)
      await server.request('POST', '/v1/client/messages', { token: sessionToken, body });
    await server.request('GET', '/v1/users/does-not-exist', { token: server.adminToken });
    const after = await scrape();

    const stored = (f: Map<string, Family>) =>
      sampleValue(f, 'signet_messages_stored_total', { author: 'user' });
    expect(stored(after) - stored(before)).toBe(2);
    const batches = (f: Map<string, Family>) =>
      sampleValue(f, 'signet_group_commit_batch_size', {}, 'signet_group_commit_batch_size_count');
    expect(batches(after) - batches(before)).toBeGreaterThanOrEqual(3);
    const route = { method: 'GET', route: '/v1/users/:id', status: '404' };
    expect(sampleValue(after, 'signet_http_requests_total', route)).toBeGreaterThanOrEqual(1);
    // Raw URLs never become labels.
    const labels = after.get('signet_http_requests_total')!.samples.map((s) => s.labels.route);
    expect(labels.some((l) => l?.includes('does-not-exist'))).toBe(false);
  });
  it('counts open sockets by kind, the fan-out of a message to them, and a logout', async () => {
    const { ws } = await server.listen();
    const before = await scrape();
    const { sessionToken } = await anonymousSession(server);
    const client = await TestSocket.ready(`${ws}/v1/client/ws`, { sessionToken });
    const agent = await TestSocket.ready(`${ws}/v1/ws`, { apiToken: server.agentToken });
    const open = (f: Map<string, Family>, k: string) => sampleValue(f, 'signet_sockets_open', { kind: k });
    const fanout = (f: Map<string, Family>) =>
      sampleValue(f, 'signet_event_fanout_seconds', { origin: 'local' }, 'signet_event_fanout_seconds_count');
    try {
      await seedHistory(server, sessionToken, 'to both');
      await agent.waitFor((f) => f.type === 'message.created');
      await client.waitFor((f) => f.type === 'message.created');
      const during = await scrape();
      expect(open(during, 'client') - open(before, 'client')).toBe(1);
      expect(open(during, 'agent') - open(before, 'agent')).toBe(1);
      // conversation.created and message.created, to the user's audience and the inbox.
      expect(fanout(during) - fanout(before)).toBeGreaterThanOrEqual(2);

      expect((await server.request('POST', '/v1/client/logout', { token: sessionToken })).statusCode).toBe(
        204,
      );
      await client.closed;
      agent.terminate();
      await agent.closed;
      await new Promise((r) => setTimeout(r, 100));
      const after = await scrape();
      expect(open(after, 'client')).toBe(open(before, 'client'));
      expect(open(after, 'agent')).toBe(open(before, 'agent'));
      const ended = (f: Map<string, Family>) =>
        sampleValue(f, 'signet_sessions_ended_total', { reason: 'logout' });
      expect(ended(after) - ended(before)).toBe(1);
    } finally {
      client.terminate();
      agent.terminate();
    }
  });
});

describe('METRICS_PORT: a second listener', () => {
  it('serves /metrics without credentials and nothing else', async () => {
    const server = await startTestServer('sqlite');
    const port = await freePort();
    const listener = await startMetricsListener(server.runtime, port, '127.0.0.1');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      const families = parsePrometheusText(await response.text());
      expect(families.has('signet_login_attempts_total')).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/v1/users`)).status).toBe(404);
    } finally {
      listener.close();
      await server.close();
    }
  });
});
