import { AuthFrame, CLOSE, type ClientFrame, ClientFrame as ClientFrameSchema } from '@signet/protocol';
import { Ajv } from 'ajv';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { RawData } from 'ws';
import { authenticateAgentSession } from '../agents/agent-sessions.ts';
import { authenticateApiToken } from '../agents/api-tokens.ts';
import { botHearsMessage } from '../bot/after-send.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { AGENT_COOKIE, readCookie } from '../http/cookies.ts';
import { isOriginAllowed } from '../http/cors.ts';
import { isSameOrigin } from '../http/own-origin.ts';
import type { TokenBucket } from '../http/rate-limits.ts';
import type { App } from '../http/types.ts';
import { findUncleanText } from '../http/validation.ts';
import { findLiveSession, readClientSession, SESSION_TOKEN_PREFIX } from '../identity/client-sessions.ts';
import { findConversation } from '../messaging/conversations.repository.ts';
import { markRead } from '../messaging/mark-read.ts';
import { sendAgentMessage } from '../messaging/send-agent-message.ts';
import { sendUserMessage } from '../messaging/send-user-message.ts';
import { isStorageUnavailable } from '../ops/storage-unavailable.ts';
import { Connection } from './connection.ts';
import type { Gateway } from './gateway.ts';

const AUTH_TIMEOUT_MS = 10_000;
// Ajv, as for HTTP bodies: string lengths count code points (API.md), not UTF-16 units.
const ajv = new Ajv({ allErrors: false, strict: false });
const frameCheck = ajv.compile<ClientFrame>(ClientFrameSchema);
const authCheck = ajv.compile<AuthFrame>(AuthFrame);

type Options = { ctx: AppContext; gateway: Gateway };

/**
 * `/v1/client/ws` (the messenger) and `/v1/ws` (agents). The first frame authenticates
 * (or the session token rides in `Sec-WebSocket-Protocol`); a bad frame afterwards is
 * answered with an `error` frame and the socket stays open.
 */
export async function socketRoutes(app: App, { ctx, gateway }: Options): Promise<void> {
  const messageLimiter = app.rateLimits.messages;
  app.get(
    '/v1/client/ws',
    {
      websocket: true,
      schema: { hide: true },
      preValidation: async (request) => {
        if (!(await isOriginAllowed(ctx, request.headers.origin)))
          throw new AppError('forbidden', 'origin not allowed');
      },
    },
    (socket, request) => {
      const conn = new Connection(socket, 'client');
      const protocolToken = tokenFromProtocols(request);
      const since = (request.query as { since?: string }).since;
      handleSocket(
        conn,
        async (frame) => {
          const token = frame?.sessionToken ?? protocolToken;
          const found = token ? await readClientSession(ctx.storage.db, token, ctx.now()) : undefined;
          if (found?.state !== 'live') {
            // API.md: the same code HTTP would answer, so the client knows what ended it.
            conn.send({
              type: 'error',
              code: found ? found.code : 'invalid_session',
              message: 'session not live',
            });
            return false;
          }
          conn.sessionToken = token;
          await gateway.attachClient(conn, found.live, frame?.since ?? since);
          return true;
        },
        protocolToken !== undefined,
        (frame) => onClientFrame(ctx, app.log, conn, frame, messageLimiter),
        gateway,
      );
    },
  );

  const agentSocket = {
    websocket: true,
    schema: { hide: true },
    // API.md "Hostile input": a page elsewhere must not ride on the agent's cookie
    // (cross-site WebSocket hijacking). API-token sockets are not browsers: no Origin needed.
    preValidation: async (request: FastifyRequest) => {
      if (readCookie(request, AGENT_COOKIE) !== undefined && !isSameOrigin(request))
        throw new AppError('forbidden', "the agent app's socket opens only from the app's own origin");
    },
  } as const;
  app.get('/v1/ws', agentSocket, (socket, request) => {
    const conn = new Connection(socket, 'agent');
    const cookie = readCookie(request, AGENT_COOKIE);
    handleSocket(
      conn,
      async (frame) => {
        // The agent app rides on its cookie (same origin); integrations send an API token.
        const session = !frame?.apiToken && cookie ? await authenticateAgentSession(ctx, cookie) : undefined;
        const principal = frame?.apiToken
          ? await authenticateApiToken(ctx, frame.apiToken)
          : session?.principal;
        if (!principal) return false;
        conn.agent = { id: principal.id, name: principal.name, role: principal.role };
        conn.agentSessionId = session?.sessionId;
        await gateway.attachAgent(conn, frame?.since);
        return true;
      },
      false,
      (frame) => onAgentFrame(ctx, conn, frame),
      gateway,
    );
  });
}

type Authenticate = (frame: AuthFrame | undefined) => Promise<boolean>;

function handleSocket(
  conn: Connection,
  authenticate: Authenticate,
  authenticateAtOnce: boolean,
  onFrame: (frame: ClientFrame) => Promise<void>,
  gateway: Gateway,
): void {
  let state: 'waiting' | 'authenticating' | 'ready' = 'waiting';
  const timer = setTimeout(() => conn.close(CLOSE.authTimeout, 'no auth frame'), AUTH_TIMEOUT_MS);
  const runAuth = async (frame: AuthFrame | undefined) => {
    state = 'authenticating';
    clearTimeout(timer);
    try {
      if (!(await authenticate(frame))) conn.close(CLOSE.unauthorized, 'unknown, revoked or foreign token');
      else if (!conn.open)
        gateway.detach(conn); // closed while authenticating
      else state = 'ready';
    } catch {
      conn.close(CLOSE.unauthorized, 'authentication failed');
    }
  };
  conn.ws.on('close', () => {
    clearTimeout(timer);
    gateway.detach(conn);
  });
  conn.ws.on('error', () => conn.ws.terminate());
  if (authenticateAtOnce) void runAuth(undefined);

  conn.ws.on('message', (data: RawData, isBinary: boolean) => {
    const frame = isBinary ? undefined : parse(data);
    if (state === 'waiting') {
      if (authCheck(frame) && !findUncleanText(frame)) void runAuth(frame);
      else conn.close(CLOSE.unauthorized, 'the first frame must be auth');
      return;
    }
    if (state === 'authenticating') return;
    if (!frameCheck(frame) || findUncleanText(frame)) {
      conn.send({ type: 'error', ...refusal(frame) });
      return;
    }
    if (frame.type === 'auth') {
      conn.send({ type: 'error', code: 'already_authenticated' });
      return;
    }
    void onFrame(frame).catch((error: unknown) => {
      const code =
        error instanceof AppError ? error.code : isStorageUnavailable(error) ? 'unavailable' : 'internal';
      const clientMessageId = frame.type === 'message.send' ? { clientMessageId: frame.clientMessageId } : {};
      conn.send({ type: 'error', code, ...clientMessageId });
    });
  });
}

async function onClientFrame(
  ctx: AppContext,
  log: FastifyBaseLogger,
  conn: Connection,
  frame: ClientFrame,
  limiter: TokenBucket,
): Promise<void> {
  if (frame.type === 'ping') return conn.send({ type: 'pong' });
  // The token is taken as the frame arrives: a burst is measured by when it was sent,
  // not by how fast storage answers the frames ahead of it.
  const refusal =
    frame.type === 'message.send' && conn.sessionId
      ? limiter.take(conn.sessionId, 'too many messages; slow down').then(
          () => undefined,
          (error: unknown) => error,
        )
      : undefined;
  if (frame.type === 'message.send') {
    // No read of the session first: the send's own transaction checks it (a logout or key
    // deletion on another node counts at once) and follows a merge. In order up to the
    // write queue, so pipelined messages are stored in the order they were sent.
    const claim = { session: { id: conn.sessionId! }, user: { id: conn.userId! } };
    const { sending } = await conn.inOrder(async () => {
      const refused = await refusal;
      if (refused) throw refused;
      return { sending: sendUserMessage(ctx, claim, frame) };
    });
    const sent = await sending;
    await botHearsMessage(ctx, log, sent);
    return conn.send({ type: 'message.ack', clientMessageId: frame.clientMessageId, message: sent.message });
  }
  // Re-read the session on every action: a logout or key deletion on another node counts at once.
  const live = await conn.inOrder(() => findLiveSession(ctx.storage.db, conn.sessionToken!, ctx.now()));
  if (!live) throw new AppError('invalid_session', 'the session has ended');
  switch (frame.type) {
    case 'typing': {
      const conversation = await findConversation(ctx.storage.db, frame.conversationId);
      if (!conversation || conversation.user_id !== live.user.id)
        throw new AppError('not_found', 'no such conversation');
      return ctx.bus.publish({
        type: 'typing',
        userId: live.user.id,
        conversationId: conversation.id,
        author: { type: 'user', id: live.user.id, name: live.user.name },
      });
    }
    case 'read':
      await markRead(ctx, { type: 'user', live }, frame.conversationId, frame.messageId);
      return;
  }
}

async function onAgentFrame(ctx: AppContext, conn: Connection, frame: ClientFrame): Promise<void> {
  const agent = conn.agent!;
  switch (frame.type) {
    case 'ping':
      return conn.send({ type: 'pong' });
    case 'message.send': {
      if (!frame.conversationId) throw new AppError('validation_failed', 'conversationId is required');
      const principal = {
        kind: 'api_token' as const,
        id: agent.id,
        name: agent.name,
        role: 'agent' as const,
      };
      const { message } = await sendAgentMessage(ctx, principal, frame.conversationId, frame);
      return conn.send({ type: 'message.ack', clientMessageId: frame.clientMessageId, message });
    }
    case 'typing': {
      const conversation = await findConversation(ctx.storage.db, frame.conversationId);
      if (!conversation) throw new AppError('not_found', 'no such conversation');
      return ctx.bus.publish({
        type: 'typing',
        userId: conversation.user_id,
        conversationId: conversation.id,
        author: { type: 'agent', id: agent.id, name: agent.name },
      });
    }
    case 'read':
      await markRead(ctx, { type: 'agent', id: agent.id }, frame.conversationId, frame.messageId);
      return;
  }
}

/**
 * What a refused frame is told. A `message.send` is named by its clientMessageId, so the
 * sender knows which message was not stored (API.md "Hostile input").
 */
function refusal(frame: unknown): { code: string; message: string; clientMessageId?: string } {
  const sent = frame as { type?: unknown; clientMessageId?: unknown } | undefined;
  const id = sent?.type === 'message.send' ? sent.clientMessageId : undefined;
  if (typeof id === 'string' && id.length <= 100 && !findUncleanText(id))
    return { code: 'validation_failed', message: 'not a message this endpoint accepts', clientMessageId: id };
  return { code: 'bad_frame', message: 'not a frame this endpoint understands' };
}

function parse(data: RawData): unknown {
  try {
    return JSON.parse(data.toString());
  } catch {
    return undefined;
  }
}

/** Browsers cannot set headers on a WebSocket; they can offer protocols: `['signet', '<token>']`. */
function tokenFromProtocols(request: FastifyRequest): string | undefined {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  return header
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(`${SESSION_TOKEN_PREFIX}_`));
}

export function chooseProtocol(protocols: Set<string>): string | false {
  return protocols.has('signet') ? 'signet' : false;
}
