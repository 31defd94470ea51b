import WebSocket from 'ws';
import { type ClientOptions, memoryStore, SignetClient, type WebSocketLike } from '../src/index.ts';

/** Polls `check` until it answers something truthy, or fails naming `what` after `ms`. */
export async function until<T>(
  check: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  what: string,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every message text the client holds, oldest conversation first. */
export const texts = (client: SignetClient): string[] =>
  client.state.conversations.flatMap((c) => c.messages.map((m) => m.text));

/** The `ws` package as the client's WebSocket, the way a Node app passes it. */
export const nodeWebSocket = (url: string): WebSocketLike => new WebSocket(url) as unknown as WebSocketLike;

/**
 * The clients one suite makes against its server: each with a fresh memory store, the
 * Node WebSocket and quick reconnects unless the options say otherwise. `stopAll` (in
 * `afterEach`) stops every one of them.
 */
export function suiteClients(serverUrl: () => string) {
  const made: SignetClient[] = [];
  return {
    make(options: Partial<ClientOptions> = {}): SignetClient {
      const client = new SignetClient({
        serverUrl: serverUrl(),
        store: memoryStore(),
        webSocket: nodeWebSocket,
        reconnect: { minMs: 50, maxMs: 300 },
        ...options,
      });
      made.push(client);
      return client;
    },
    stopAll(): void {
      for (const client of made.splice(0)) client.stop();
    },
  };
}
