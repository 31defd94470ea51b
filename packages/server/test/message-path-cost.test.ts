import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_LANES } from '../src/db/group-commit.ts';
import { findLiveSession } from '../src/identity/client-sessions.ts';
import { sendUserMessage } from '../src/messaging/send-user-message.ts';
import { login } from './factories.ts';
import { signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';
import { TestSocket } from './ws-client.ts';

/**
 * What one message costs in round trips to PostgreSQL, from the socket frame to the
 * agent's copy (docs/performance.md "PostgreSQL"): each statement is a trip to another
 * process, and the trips were most of the message's server time. PostgreSQL only: on
 * SQLite a statement is a function call, and the count means little there.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('round trips per message on PostgreSQL', () => {
  let server: TestServer;
  let statements: string[] = [];
  const query = pg.Client.prototype.query;

  beforeAll(async () => {
    server = await startTestServer('postgres');
    const record = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0] as string | { text: string };
      statements.push(typeof first === 'string' ? first : first.text);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    };
    pg.Client.prototype.query = record as typeof query;
  });

  afterAll(async () => {
    pg.Client.prototype.query = query;
    await server.close();
  });

  it('a message in an ongoing conversation takes 8 statements, and none reads the session by its token first', async () => {
    const key = await server.createKey();
    const { ws } = await server.listen();
    const session = (
      await login(server, await signUserToken(key, { external_id: uniqueExternalId('cost') }))
    ).json();
    const device = await TestSocket.ready(`${ws}/v1/client/ws`, { sessionToken: session.sessionToken });
    const agent = await TestSocket.ready(`${ws}/v1/ws`, { apiToken: server.agentToken });
    const send = async (clientMessageId: string) => {
      device.send({ type: 'message.send', text: 'hello', clientMessageId });
      await device.waitFor((f) => f.type === 'message.ack' && f.clientMessageId === clientMessageId);
      await agent.waitFor(
        (f) =>
          f.type === 'message.created' &&
          (f.message as { clientMessageId?: string }).clientMessageId === clientMessageId,
      );
    };
    await send('opens-the-conversation');

    statements = [];
    await send('in-the-conversation');
    const onPath = withoutWebhookPolls(statements);

    expect(onPath.some((s) => /"token_hash"/.test(s))).toBe(false);
    expect(onPath.map(shape)).toEqual([
      'begin',
      'lock the user',
      'read the session',
      'conversation and duplicate check',
      'message and conversation',
      'event log (lock, insert, endpoints?)',
      'commit',
      'fan-out read',
    ]);
    device.close();
    agent.close();
  });

  it('a batch of sends locks its users and reads their sessions in one statement each, not one per message', async () => {
    const key = await server.createKey();
    const senders = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const body = (
          await login(server, await signUserToken(key, { external_id: uniqueExternalId('batch') }))
        ).json();
        const live = await findLiveSession(server.runtime.storage.db, body.sessionToken, Date.now());
        return { session: { id: live!.session.id }, user: { id: live!.user.id } };
      }),
    );
    statements = [];
    // Queued in one turn of the event loop: each group-commit lane takes its share as one batch.
    const sent = await Promise.all(
      senders.map((claim, i) =>
        sendUserMessage(server.runtime, claim, { text: `batched ${i}`, clientMessageId: `batch-${i}` }),
      ),
    );
    expect(sent.map((s) => s.message.author.id)).toEqual(senders.map((s) => s.user.id));
    const locks = statements.filter((s) =>
      /^select \* from "users" where "id" (=|in) .* for update$/.test(s),
    );
    const sessionReads = statements.filter((s) =>
      /^select \* from "client_sessions" where "id" (=|in)/.test(s),
    );
    // At most one of each per lane (a lane that got a single message locks and reads for it alone).
    expect(locks.length).toBeLessThanOrEqual(POSTGRES_LANES);
    expect(sessionReads.length).toBeLessThanOrEqual(POSTGRES_LANES);
    expect(locks.some((s) => / in \(/.test(s))).toBe(true);
  });
});

/** The webhook dispatcher polls on a timer (begin, two selects, commit); it is not the message's. */
function withoutWebhookPolls(list: string[]): string[] {
  const out = [...list];
  for (let i = 0; i < out.length; i++) {
    if (!/webhook_endpoints" order by/.test(out[i]!)) continue;
    const end = out.indexOf('commit', i);
    const begin = out.lastIndexOf('begin', i);
    out.splice(begin, end - begin + 1);
    i = begin - 1;
  }
  return out;
}

function shape(statement: string): string {
  const s = statement.replace(/\s+/g, ' ').trim();
  if (s === 'begin' || s === 'commit') return s;
  if (/^select \* from "users" where "id" = \$1 for update$/.test(s)) return 'lock the user';
  if (/^select \* from "client_sessions" where "id" = \$1$/.test(s)) return 'read the session';
  if (/"duplicate_id"/.test(s)) return 'conversation and duplicate check';
  if (/^with "inserted" as \(insert into "messages"/.test(s)) return 'message and conversation';
  if (/pg_advisory_xact_lock/.test(s) && /insert into events/.test(s))
    return 'event log (lock, insert, endpoints?)';
  if (/from "events" where "id" >/.test(s)) return 'fan-out read';
  return s;
}
