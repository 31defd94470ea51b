import { TestSocket } from '../ws-client.ts';
import type { ModelSession } from './model.ts';
import { covered, type Run } from './run.ts';

/**
 * §7 on the socket: every session the model holds has a client socket open, and when
 * the model ends the session its socket must be told `session.ended` with the reason
 * that ended it, then closed; a live session's socket is never told so. Expiry is the
 * exception: the server's timers run on real time, not on the model's clock, so an
 * expired session's socket is only let go.
 */
export class Sockets {
  private readonly open = new Map<ModelSession, TestSocket>();

  constructor(private readonly wsBase: string) {}

  /** Opens a socket for every live session that has none yet. */
  async follow(run: Run): Promise<void> {
    for (const session of run.model.sessions) {
      if (session.state !== 'live' || session.socketOpened || run.diverged.has(session)) continue;
      session.socketOpened = true;
      this.open.set(
        session,
        await TestSocket.ready(`${this.wsBase}/v1/client/ws`, { sessionToken: session.token }),
      );
    }
  }

  async check(run: Run): Promise<void> {
    for (const [session, socket] of this.open) {
      if (run.diverged.has(session) || session.state === 'expired') {
        this.drop(session);
        continue;
      }
      const told = socket.of('session.ended');
      if (session.state === 'live') {
        run.expect(
          'socket-session-ended',
          told.length === 0,
          () => `the socket of a live session (user ${session.userId}) was told ${JSON.stringify(told)}`,
          () => this.drop(session),
        );
        continue;
      }
      const frame = await socket.waitFor((f) => f.type === 'session.ended', 3000).catch(() => undefined);
      const closed = frame ? await Promise.race([socket.closed, sleep(3000)]) : undefined;
      run.expect(
        'socket-session-ended',
        frame?.reason === session.endedBy && closed !== undefined,
        () =>
          `the socket of a session ended by ${session.endedBy} got ${JSON.stringify(frame ?? socket.frames.map((f) => f.type))}` +
          `${frame && !closed ? ' and stayed open' : ''}`,
      );
      covered(`socket told session.ended (${session.endedBy})`);
      this.drop(session);
    }
  }

  private drop(session: ModelSession): void {
    this.open.get(session)?.terminate();
    this.open.delete(session);
  }

  closeAll(): void {
    for (const session of [...this.open.keys()]) this.drop(session);
  }
}

const sleep = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));
