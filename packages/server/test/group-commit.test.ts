import type { StoredEvent } from '@signet/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from '../src/db/executor.ts';
import { type BatchedWrite, GroupCommit, MAX_BATCH } from '../src/db/group-commit.ts';
import { AppError } from '../src/errors.ts';
import { appendEvents, listEventsAfter } from '../src/messaging/events.repository.ts';
import type { BusEvent } from '../src/realtime/event-bus.ts';
import { anonymousSession } from './factories.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';

const typing = (userId: string): StoredEvent => ({
  type: 'conversation.updated',
  conversation: { id: `c-${userId}` } as never,
});

describe.each(DATABASES)('group commit on %s', (kind) => {
  let server: TestServer;
  let notices: Extract<BusEvent, { type: 'events' }>[];
  beforeAll(async () => {
    server = await startTestServer(kind);
    server.runtime.bus.subscribe((event) => {
      if (event.type === 'events') notices.push(event);
    });
  });
  afterAll(() => server.close());

  /** A write that reports which transaction it ran in and leaves one event for `userId`. */
  const writeFor =
    (userId: string, onRun: (trx: Executor) => void): BatchedWrite<string> =>
    async (trx) => {
      onRun(trx);
      return {
        value: userId,
        events: { audience: { userId, inbox: true }, events: [typing(userId)], now: Date.now() },
      };
    };

  it('writes queued together share one transaction, one commit and one bus notice', async () => {
    notices = [];
    const queue = new GroupCommit(server.runtime, 1);
    const seen: Executor[] = [];
    // Queued in one turn of the event loop, all four share one transaction.
    const values = await Promise.all(
      ['u-1', 'u-2', 'u-3', 'u-4'].map((id) =>
        queue.run(
          id,
          writeFor(id, (trx) => seen.push(trx)),
        ),
      ),
    );
    expect(values).toEqual(['u-1', 'u-2', 'u-3', 'u-4']);
    expect(new Set(seen).size).toBe(1);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.userIds.sort()).toEqual(['u-1', 'u-2', 'u-3', 'u-4']);
    const rows = await listEventsAfter(server.runtime.storage.db, { inbox: true }, 0, 100);
    expect(rows.filter((r) => r.user_id?.startsWith('u-'))).toHaveLength(4);
    expect(notices[0]!.cursor).toBe(Math.max(...rows.map((r) => r.id)));
  });

  it('a batch never holds more than MAX_BATCH writes', async () => {
    const queue = new GroupCommit(server.runtime, 1);
    const seen: Executor[] = [];
    const count = MAX_BATCH + 6;
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        queue.run(
          `m-${i}`,
          writeFor(`m-${i}`, (trx) => seen.push(trx)),
        ),
      ),
    );
    const perTransaction = new Map<Executor, number>();
    for (const trx of seen) perTransaction.set(trx, (perTransaction.get(trx) ?? 0) + 1);
    expect([...perTransaction.values()].sort((a, b) => b - a)).toEqual([MAX_BATCH, 6]);
  });

  it('a write that fails rolls back alone: the others commit, it gets its own error and leaves nothing', async () => {
    notices = [];
    const queue = new GroupCommit(server.runtime, 1);
    const db = server.runtime.storage.db;
    const before = await listEventsAfter(db, { inbox: true }, 0, 10_000);
    const failing: BatchedWrite<string> = async (trx) => {
      // A row written before the failure must not survive it.
      await appendEvents(trx, [
        {
          user_id: 'f-2-bad',
          inbox: 1,
          type: 'conversation.updated',
          payload: JSON.stringify(typing('f-2-bad')),
          created_at: Date.now(),
        },
      ]);
      throw new AppError('not_found', 'no such conversation');
    };
    const last = new Map<string, Executor>();
    const tracked = (key: string) => writeFor(key, (trx) => last.set(key, trx));
    // Sorted by key in the batch: the failing write sits in the middle.
    const results = await Promise.allSettled([
      queue.run('f-0', tracked('f-0')),
      queue.run('f-1', tracked('f-1')),
      queue.run('f-2-bad', failing),
      queue.run('f-3', tracked('f-3')),
      queue.run('f-4', tracked('f-4')),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'not_found' });
    const after = await listEventsAfter(db, { inbox: true }, before.at(-1)?.id ?? 0, 10_000);
    expect(after.map((r) => r.user_id)).toEqual(['f-0', 'f-1', 'f-3', 'f-4']);
    // The good writes still committed in batches: the two before it together, the two after it together.
    expect(last.get('f-0')).toBe(last.get('f-1'));
    expect(last.get('f-3')).toBe(last.get('f-4'));
    expect(last.get('f-0')).not.toBe(last.get('f-3'));
    expect(notices.flatMap((n) => n.userIds).sort()).toEqual(['f-0', 'f-1', 'f-3', 'f-4']);
  });

  it('across lanes (PostgreSQL runs several batches at once), one key’s writes keep their order', async () => {
    const queue = new GroupCommit(server.runtime, 4);
    const db = server.runtime.storage.db;
    const before = await listEventsAfter(db, { inbox: true }, 0, 10_000);
    const write =
      (userId: string, n: number): BatchedWrite<number> =>
      async () => ({
        value: n,
        events: { audience: { userId, inbox: true }, events: [typing(`${userId}#${n}`)], now: Date.now() },
      });
    const keys = Array.from({ length: 12 }, (_, k) => `lane-${k}`);
    await Promise.all(keys.flatMap((key) => [0, 1, 2, 3, 4].map((n) => queue.run(key, write(key, n)))));
    const rows = await listEventsAfter(db, { inbox: true }, before.at(-1)?.id ?? 0, 10_000);
    expect(rows).toHaveLength(60);
    for (const key of keys) {
      const order = rows
        .filter((r) => r.user_id === key)
        .map((r) => (JSON.parse(r.payload) as { conversation: { id: string } }).conversation.id);
      expect(order).toEqual([0, 1, 2, 3, 4].map((n) => `c-${key}#${n}`));
    }
  });

  it('80 messages from 20 users at once, one to a conversation that is not theirs: 79 stored once each, in the right conversations', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => anonymousSession(server)));
    const other = await anonymousSession(server);
    const first = await server.request('POST', '/v1/client/messages', {
      token: other.sessionToken,
      body: { text: 'mine', clientMessageId: 'o-1' },
    });
    const foreignConversation = first.json().conversationId as string;

    const sends = users.flatMap((user, u) =>
      Array.from({ length: 4 }, (_, i) =>
        server.request('POST', '/v1/client/messages', {
          token: user.sessionToken,
          body:
            u === 7 && i === 2
              ? { text: 'not mine', clientMessageId: `x-${u}-${i}`, conversationId: foreignConversation }
              : { text: `${u}-${i}`, clientMessageId: `x-${u}-${i}` },
        }),
      ),
    );
    const responses = await Promise.all(sends);
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201 || s === 200)).toHaveLength(79);
    expect(responses[7 * 4 + 2]!.statusCode).toBe(404);
    expect(responses[7 * 4 + 2]!.json().error.code).toBe('not_found');

    for (const [u, user] of users.entries()) {
      const history = await server.request('GET', '/v1/client/conversations', { token: user.sessionToken });
      const conversations = history.json().data as { messages: { text: string }[] }[];
      expect(conversations).toHaveLength(1);
      const texts = conversations[0]!.messages.map((m) => m.text);
      const expected = [0, 1, 2, 3].filter((i) => !(u === 7 && i === 2)).map((i) => `${u}-${i}`);
      // Concurrent requests of one user carry no order between them; their set is what counts.
      expect(texts.sort()).toEqual(expected.sort());
    }
  });
});
