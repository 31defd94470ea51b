import { CLOSE } from '@signet/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.ts';
import { type LiveClientSession, noteSessionUse } from '../identity/client-sessions.ts';
import { type Audience, latestEventId, listEventsAfter } from '../messaging/events.repository.ts';
import { metrics } from '../metrics/metrics.ts';
import type { Connection } from './connection.ts';
import type { AgentAccessEnded, BusEvent, SessionEndReason } from './event-bus.ts';
import { EventReader } from './event-reader.ts';
import { Heartbeat } from './heartbeat.ts';

const REPLAY_LIMIT = 1000;
const REAUTH_AHEAD_MS = 120_000;
/** setTimeout fires at once past 2^31-1 ms; longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const PULL_BATCH = 500;
const CURSOR = /^\d{1,15}$/;

/**
 * Every socket on this process, and the one way events reach them: a bus notice says
 * "new events for user U (or the inbox)", and the gateway reads them from the event
 * log after each socket's own cursor. Pulls are serialized per audience, so a socket
 * gets each event once, in cursor order, whatever order notices arrive in.
 */
export class Gateway {
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #bySession = new Map<string, Set<Connection>>();
  readonly #agents = new Set<Connection>();
  readonly #pulls = new Map<string, { again: boolean }>();
  readonly #unsubscribe: (() => void)[];
  readonly #heartbeat: Heartbeat;
  readonly #reader: EventReader;

  constructor(
    private readonly ctx: AppContext,
    private readonly log: FastifyBaseLogger,
  ) {
    this.#unsubscribe = [
      ctx.bus.subscribe((event) => this.#onBus(event)),
      ctx.bus.onResync(() => this.#resyncAll()),
    ];
    this.#heartbeat = new Heartbeat(ctx.config.socketHeartbeatSeconds * 1000);
    this.#reader = new EventReader(ctx.storage.db, PULL_BATCH);
  }

  get size(): number {
    let n = this.#agents.size;
    for (const set of this.#byUser.values()) n += set.size;
    return n;
  }

  /** Registers an authenticated messenger socket, replays from `since`, then sends `ready`. */
  async attachClient(conn: Connection, live: LiveClientSession, since: string | undefined): Promise<void> {
    const userId = live.user.id;
    const mine = this.#byUser.get(userId);
    if (mine && mine.size >= this.ctx.config.maxSocketsPerUser) {
      conn.close(CLOSE.tooManySockets, 'too many open sockets for this user');
      return;
    }
    conn.userId = userId;
    conn.sessionId = live.session.id;
    add(this.#byUser, userId, conn);
    add(this.#bySession, live.session.id, conn);
    this.#heartbeat.add(conn);
    await this.#start(conn, { userIds: [userId] }, since);
    if (live.session.authenticated === 1 && live.session.expires_at !== null) {
      this.#watchExpiry(conn, live.session.expires_at);
    }
    await noteSessionUse(this.ctx, live);
  }

  async attachAgent(conn: Connection, since: string | undefined): Promise<void> {
    this.#agents.add(conn);
    this.#heartbeat.add(conn);
    await this.#start(conn, { inbox: true }, since);
  }

  detach(conn: Connection): void {
    clearTimeout(conn.expiryTimer);
    this.#heartbeat.remove(conn);
    this.#agents.delete(conn);
    if (conn.userId) remove(this.#byUser, conn.userId, conn);
    if (conn.sessionId) remove(this.#bySession, conn.sessionId, conn);
  }

  async close(): Promise<void> {
    for (const stop of this.#unsubscribe) stop();
    this.#heartbeat.close();
    for (const conn of this.#all()) conn.close(CLOSE.goingAway, 'server shutting down');
  }

  async #start(conn: Connection, audience: Audience, since: string | undefined): Promise<void> {
    const db = this.ctx.storage.db;
    const latest = await latestEventId(db);
    let from = latest;
    if (since !== undefined) {
      if (CURSOR.test(since) && Number(since) <= latest) from = Number(since);
      else conn.send({ type: 'error', code: 'bad_cursor', message: 'unknown cursor; refetch over HTTP' });
    }
    if (from < latest) {
      const rows = await listEventsAfter(db, audience, from, REPLAY_LIMIT + 1);
      if (rows.length > REPLAY_LIMIT) {
        conn.send({ type: 'error', code: 'bad_cursor', message: 'too far behind; refetch over HTTP' });
      } else {
        for (const row of rows) this.#deliver(conn, row.id, frameText(row.id, row.payload));
      }
    }
    conn.sent = Math.max(conn.sent, latest);
    conn.send({ type: 'ready', cursor: String(conn.sent) });
    conn.live = true;
    // Anything committed while the replay ran.
    this.#schedule('inbox' in audience ? 'inbox' : audience.userIds[0]!);
  }

  #deliver(conn: Connection, cursor: number, text: string): void {
    if (cursor <= conn.sent) return;
    conn.sent = cursor;
    conn.sendText(text);
  }

  #onBus(event: BusEvent): void {
    switch (event.type) {
      case 'events':
        for (const userId of event.userIds) if (this.#byUser.has(userId)) this.#schedule(userId);
        if (event.inbox && this.#agents.size > 0) this.#schedule('inbox');
        return;
      case 'typing': {
        const frame = { type: 'typing' as const, conversationId: event.conversationId, author: event.author };
        const targets = event.author.type === 'user' ? this.#agents : (this.#byUser.get(event.userId) ?? []);
        for (const conn of targets) if (conn.live) conn.send(frame);
        return;
      }
      case 'session.ended':
        for (const sessionId of event.sessionIds) {
          for (const conn of this.#bySession.get(sessionId) ?? []) this.#endOne(conn, event.reason);
        }
        return;
      case 'user.merged': {
        const moving = this.#byUser.get(event.fromUserId);
        if (!moving) return;
        this.#byUser.delete(event.fromUserId);
        for (const conn of moving) {
          conn.userId = event.intoUserId;
          add(this.#byUser, event.intoUserId, conn);
        }
        this.#schedule(event.intoUserId);
        return;
      }
      case 'agent_access.ended':
        this.#endAgentSockets(event);
        return;
    }
  }

  /** Coalesces notices: one pull runs per audience, and runs again if more arrived meanwhile. */
  #schedule(key: string): void {
    const running = this.#pulls.get(key);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: true };
    this.#pulls.set(key, state);
    void (async () => {
      try {
        while (state.again) {
          state.again = false;
          if (await this.#pull(key)) state.again = true;
        }
      } catch (error) {
        // The next notice (or the client's reconnect) retries; one audience's failure stays its own.
        this.log.error({ err: error, audience: key === 'inbox' ? 'inbox' : 'user' }, 'event pull failed');
      } finally {
        this.#pulls.delete(key);
      }
    })();
  }

  /** Returns true when a full batch came back and more may be waiting. */
  async #pull(key: string): Promise<boolean> {
    const conns = [...(key === 'inbox' ? this.#agents : (this.#byUser.get(key) ?? []))].filter(
      (c) => c.live && c.open,
    );
    if (conns.length === 0) return false;
    const since = Math.min(...conns.map((c) => c.sent));
    const audience: Audience = key === 'inbox' ? { inbox: true } : { userIds: [key] };
    const rows = await this.#reader.read({ audience, since });
    for (const row of rows) {
      const text = frameText(row.id, row.payload);
      for (const conn of conns) this.#deliver(conn, row.id, text);
    }
    metrics.eventsWritten(rows);
    return rows.length === PULL_BATCH;
  }

  /** After the bus was cut off, notices may be lost: every socket catches up from the log. */
  #resyncAll(): void {
    for (const userId of this.#byUser.keys()) this.#schedule(userId);
    if (this.#agents.size > 0) this.#schedule('inbox');
  }

  /**
   * IDENTITY.md §7: ahead of the end (two minutes, or half the time left when less) the
   * client is asked for a fresh login, which replaces the session with no gap; at the end
   * a session that was not replaced is over, and its sockets are told and closed.
   */
  #watchExpiry(conn: Connection, expiresAt: number): void {
    const left = expiresAt - this.ctx.now();
    this.#at(conn, expiresAt - Math.min(REAUTH_AHEAD_MS, left / 2), () => {
      conn.send({ type: 'session.reauth_required', reason: 'token_expired' });
      this.#at(conn, expiresAt, () => this.#endOne(conn, 'expired'));
    });
  }

  /** Runs `fire` on this socket at time `at` (by the context's clock), however far off. */
  #at(conn: Connection, at: number, fire: () => void): void {
    const wait = at - this.ctx.now();
    if (wait <= 0) {
      fire();
      return;
    }
    conn.expiryTimer = setTimeout(() => this.#at(conn, at, fire), Math.min(wait, MAX_TIMER_MS));
  }

  #endOne(conn: Connection, reason: SessionEndReason): void {
    conn.send({ type: 'session.ended', reason });
    conn.close(CLOSE.sessionEnded, 'session ended');
  }

  /** API.md "Hostile input": an agent socket ends with the access it was opened with, on every node. */
  #endAgentSockets(event: AgentAccessEnded): void {
    for (const conn of this.#agents) {
      const ended =
        (conn.agent && event.principalIds.includes(conn.agent.id)) ||
        (conn.agentSessionId !== undefined && event.agentSessionIds.includes(conn.agentSessionId));
      if (!ended) continue;
      this.#agents.delete(conn);
      conn.close(CLOSE.unauthorized, 'signed out, or access revoked');
    }
  }

  *#all(): Generator<Connection> {
    yield* this.#agents;
    for (const set of this.#byUser.values()) yield* set;
  }
}

/**
 * A stored event's frame: its JSON with the cursor added, built once per event however
 * many sockets receive it (the payload is always a JSON object with a `type`).
 */
function frameText(cursor: number, payload: string): string {
  return `{"cursor":"${cursor}",${payload.slice(1)}`;
}

function add<K>(map: Map<K, Set<Connection>>, key: K, conn: Connection): void {
  const set = map.get(key);
  if (set) set.add(conn);
  else map.set(key, new Set([conn]));
}

function remove<K>(map: Map<K, Set<Connection>>, key: K, conn: Connection): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(conn);
  if (set.size === 0) map.delete(key);
}
