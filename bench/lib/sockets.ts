import WebSocket from 'ws';

/** A bench-side socket: resolves frames by predicate without keeping them all. */
export class BenchSocket {
  readonly ws: WebSocket;
  #handlers = new Set<(frame: { type: string; [k: string]: unknown }) => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      for (const handler of this.#handlers) handler(frame);
    });
  }

  static async connect(url: string, auth?: Record<string, unknown>): Promise<BenchSocket> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const socket = new BenchSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (auth) {
      const ready = socket.next((f) => f.type === 'ready');
      ws.send(JSON.stringify({ type: 'auth', ...auth }));
      await ready;
    }
    return socket;
  }

  on(handler: (frame: { type: string; [k: string]: unknown }) => void): void {
    this.#handlers.add(handler);
  }

  next(match: (frame: { type: string; [k: string]: unknown }) => boolean, ms = 10_000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bench socket timeout')), ms);
      const handler = (frame: { type: string; [k: string]: unknown }) => {
        if (!match(frame)) return;
        clearTimeout(timer);
        this.#handlers.delete(handler);
        resolve(frame);
      };
      this.#handlers.add(handler);
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(): void {
    this.ws.terminate();
  }
}
