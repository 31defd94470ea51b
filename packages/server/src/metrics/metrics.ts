import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { WebSocket } from 'ws';

/**
 * The process's Prometheus metrics. Code elsewhere reports through the one-line calls
 * at the bottom (`metrics.loginAttempt(...)`), never through prom-client itself, so
 * instrumenting a file is one import and one call. One registry per process: several
 * servers in one test process share it, so tests compare deltas.
 */
export const registry = new Registry();
// The standard names (process_*, nodejs_*), as every Node dashboard expects them.
collectDefaultMetrics({ register: registry });

const loginAttempts = new Counter({
  name: 'signet_login_attempts_total',
  help: 'End-user logins by outcome (ok|failed) and reason (the auth-log reason code; ok for successes)',
  labelNames: ['outcome', 'reason'] as const,
  registers: [registry],
});

const sessionsEnded = new Counter({
  name: 'signet_sessions_ended_total',
  help: 'Client sessions ended on this node, by reason (logout, replaced, merged, key_deleted, erased)',
  labelNames: ['reason'] as const,
  registers: [registry],
});

const messagesStored = new Counter({
  name: 'signet_messages_stored_total',
  help: 'Messages committed by this node, by author (user, agent, bot); idempotent retries are not counted',
  labelNames: ['author'] as const,
  registers: [registry],
});

const socketsOpen = new Gauge({
  name: 'signet_sockets_open',
  help: 'WebSockets open on this node, by kind (client = messenger, agent)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

const fanoutSeconds = new Histogram({
  name: 'signet_event_fanout_seconds',
  help: 'From commit to the write on the sockets of one audience. origin=local: committed on this node (commit time known); origin=remote: committed elsewhere, measured from the event stamp (wall clocks)',
  labelNames: ['origin'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

const batchSize = new Histogram({
  name: 'signet_group_commit_batch_size',
  help: 'Writes per group-commit transaction, as taken from the queue',
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [registry],
});

const httpRequests = new Counter({
  name: 'signet_http_requests_total',
  help: 'HTTP requests by route template (unmatched for 404s without a route) and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

const httpSeconds = new Histogram({
  name: 'signet_http_request_duration_seconds',
  help: 'HTTP request duration by route template',
  labelNames: ['method', 'route'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const databaseUp = new Gauge({
  name: 'signet_database_up',
  help: '1 when the database answered a trivial query at the last scrape, else 0',
  registers: [registry],
});

export const redisUp = new Gauge({
  name: 'signet_redis_up',
  help: '1 when the Redis bus is connected (always 1 without REDIS_URL: there is no Redis)',
  registers: [registry],
});

export const masterKeyFailures = new Counter({
  name: 'signet_master_key_failures_total',
  help: 'Secrets the master key could not open at run time (a node with the wrong SIGNET_MASTER_KEY)',
  registers: [registry],
});

/** Commit times of events committed on this node, by cursor, until a socket write reads them. */
const committedAt = new Map<number, number>();
const MAX_REMEMBERED = 10_000;

const nowMs = () => performance.timeOrigin + performance.now();

/**
 * Off until a server turns metrics on (METRICS=1 or METRICS_PORT): the calls below sit on
 * the message hot path, and a process nobody scrapes should not pay for them.
 */
let enabled = false;

export function enableMetrics(): void {
  enabled = true;
}

export const metrics = {
  loginAttempt(reason: string): void {
    if (!enabled) return;
    loginAttempts.inc({ outcome: reason === 'ok' ? 'ok' : 'failed', reason });
  },
  sessionsEnded(reason: string, count: number): void {
    if (!enabled) return;
    if (count > 0) sessionsEnded.inc({ reason }, count);
  },
  /** For `.then(...)` after a send: counts it when it stored a new message. */
  messageStored<T extends { created: boolean }>(author: 'user' | 'agent'): (sent: T) => T {
    return (sent) => {
      if (enabled && sent.created) messagesStored.inc({ author });
      return sent;
    };
  },
  botMessagesStored(count: number): void {
    if (!enabled) return;
    if (count > 0) messagesStored.inc({ author: 'bot' }, count);
  },
  /** Counts the socket while it is open. */
  socketOpened(ws: WebSocket, kind: 'client' | 'agent'): void {
    if (!enabled) return;
    socketsOpen.inc({ kind });
    ws.once('close', () => socketsOpen.dec({ kind }));
  },
  batchTaken(size: number): void {
    if (!enabled) return;
    batchSize.observe(size);
  },
  /** After commit, before the notice: the start of fan-out for these cursors. */
  eventsCommitted(recorded: readonly { cursor: number }[]): void {
    if (!enabled) return;
    const at = nowMs();
    for (const { cursor } of recorded) committedAt.set(cursor, at);
    if (committedAt.size > MAX_REMEMBERED) {
      // Events nobody on this node listens to are never read back; forget the oldest.
      let excess = committedAt.size - MAX_REMEMBERED / 2;
      for (const key of committedAt.keys()) {
        if (excess-- <= 0) break;
        committedAt.delete(key);
      }
    }
  },
  /** Right after an audience's sockets were written these events. */
  eventsWritten(rows: readonly { id: number; created_at: number }[]): void {
    if (!enabled) return;
    const at = nowMs();
    for (const row of rows) {
      // Kept, not deleted: the same event may go to a second audience (user and inbox).
      const committed = committedAt.get(row.id);
      fanoutSeconds.observe(
        { origin: committed === undefined ? 'remote' : 'local' },
        Math.max(0, at - (committed ?? row.created_at)) / 1000,
      );
    }
  },
  httpResponse(method: string, route: string, status: number, seconds: number): void {
    if (!enabled) return;
    httpRequests.inc({ method, route, status: String(status) });
    httpSeconds.observe({ method, route }, seconds);
  },
  masterKeyFailure(): void {
    if (!enabled) return;
    masterKeyFailures.inc();
  },
};
