import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Received = { headers: Record<string, string>; body: string; at: number };
type Reply = { status: number; headers?: Record<string, string> } | 'hang';
/** How to answer a request: at once, or when the returned promise settles. */
export type Answer = (request: Received, index: number) => Reply | Promise<Reply>;

/** A webhook receiver on 127.0.0.1 that records every request and answers as told. */
export class Receiver {
  readonly received: Received[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #waiters: (() => void)[] = [];
  private constructor(
    private readonly server: Server,
    public answer: Answer,
  ) {}

  static async start(answer: Answer = () => ({ status: 200 }), port = 0): Promise<Receiver> {
    let receiver: Receiver | undefined;
    const server = createServer((req, res) => receiver!.handle(req, res));
    receiver = new Receiver(server, answer);
    server.on('connection', (socket) => {
      receiver!.#sockets.add(socket);
      socket.on('close', () => receiver!.#sockets.delete(socket));
    });
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hook`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: Received = {
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      this.received.push(request);
      const answer = this.answer(request, this.received.length - 1);
      for (const wake of this.#waiters.splice(0)) wake();
      void Promise.resolve(answer).then((reply) => {
        if (reply !== 'hang') res.writeHead(reply.status, reply.headers ?? {}).end('ok');
      });
    });
  }

  /** Resolves once `count` requests arrived (or fails after `ms`). */
  async waitFor(count: number, ms = 10_000): Promise<Received[]> {
    const deadline = Date.now() + ms;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`receiver got ${this.received.length} of ${count} requests`);
      await new Promise<void>((wake) => {
        this.#waiters.push(wake);
        setTimeout(wake, 100);
      });
    }
    return this.received;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

/** The body's parsed fields the tests read. */
export type Delivered = {
  id: string;
  type: string;
  createdAt: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary event data
  data: Record<string, any>;
  sequence: number;
};
export const parse = (r: Received): Delivered => JSON.parse(r.body) as Delivered;
