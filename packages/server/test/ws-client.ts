import WebSocket from 'ws';

export type Frame = { type: string; cursor?: string; [key: string]: unknown };

/** A test's WebSocket peer: records every frame and the close code, and waits for them. */
export class TestSocket {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #ws: WebSocket;
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.#waiters) wake();
      });
    });
  }

  static async open(
    url: string,
    options: { protocols?: string[]; headers?: Record<string, string> } = {},
  ): Promise<TestSocket> {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return socket;
  }

  /** Opens, authenticates and waits for `ready`. */
  static async ready(url: string, auth: Record<string, unknown>): Promise<TestSocket> {
    const socket = await TestSocket.open(url);
    socket.send({ type: 'auth', ...auth });
    await socket.waitFor((f) => f.type === 'ready');
    return socket;
  }

  send(frame: unknown): void {
    this.#ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer): void {
    this.#ws.send(data);
  }

  of(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  /** Resolves with the first frame (from the start) matching, or fails after `ms`. */
  async waitFor(match: (frame: Frame) => boolean, ms = 5000): Promise<Frame> {
    return this.waitUntil(() => this.frames.find(match), ms, 'frame');
  }

  async waitUntil<T>(check: () => T | undefined | false, ms = 5000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = check();
      if (value) return value;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => f.type))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.#waiters = [];
    }
  }

  close(): void {
    this.#ws.close();
  }

  terminate(): void {
    this.#ws.terminate();
  }

  get lastCursor(): string | undefined {
    return this.frames.filter((f) => f.cursor !== undefined).at(-1)?.cursor;
  }
}
