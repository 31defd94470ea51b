import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../src/messaging/events.repository.ts';
import { EventReader } from '../src/realtime/event-reader.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';

/** The gateway's reads, many at once: each audience gets exactly its own events, in order. */
describe.each(DATABASES)('event reader on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it('answers 40 audiences asked in one turn (several statements) each with its own events after its cursor', async () => {
    const db = server.runtime.storage.db;
    const users = Array.from({ length: 40 }, (_, i) => `reader-${kind}-${i}`);
    const rows = users.flatMap((user, i) =>
      Array.from({ length: 1 + (i % 3) }, (_, n) => ({
        user_id: user,
        inbox: 0 as const,
        type: 'conversation.updated',
        payload: JSON.stringify({ type: 'conversation.updated', n }),
        created_at: Date.now(),
      })),
    );
    const { cursors } = await db.transaction().execute((trx) => appendEvents(trx, rows));
    const first = cursors[0]!;

    const reader = new EventReader(db, 500);
    // Every other audience has already seen its first event.
    const sinceOf = (i: number) =>
      i % 2 === 0 ? first - 1 : cursors[rows.findIndex((r) => r.user_id === users[i])]!;
    const answers = await Promise.all(
      users.map((user, i) => reader.read({ audience: { userIds: [user] }, since: sinceOf(i) })),
    );

    answers.forEach((answer, i) => {
      const expected = rows
        .map((row, j) => ({ row, cursor: cursors[j]! }))
        .filter(({ row, cursor }) => row.user_id === users[i] && cursor > sinceOf(i))
        .map(({ cursor }) => cursor);
      expect(answer.map((row) => row.id)).toEqual(expected);
      expect(answer.every((row) => row.user_id === users[i])).toBe(true);
    });
  });
});
