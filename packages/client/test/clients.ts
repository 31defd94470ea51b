import WebSocket from 'ws';
import { type ClientOptions, memoryStore, SignetClient, type WebSocketLike } from '../src/index.ts';

/** The `ws` package as the client's WebSocket, the way a Node app passes it. */
export const nodeWebSocket = (url: string): WebSocketLike => new WebSocket(url) as unknown as WebSocketLike;

/**
 * The clients one suite makes against its server: each with a fresh memory store, the
 * Node WebSocket and quick reconnects unless the options say otherwise. `stopAll` (in
 * `afterEach`) stops every one of them, also those made elsewhere and `track`ed.
 */
export function suiteClients(serverUrl: () => string) {
  const made: SignetClient[] = [];
  return {
    make(options: Partial<ClientOptions> = {}): SignetClient {
      return this.track(
        new SignetClient({
          serverUrl: serverUrl(),
          store: memoryStore(),
          webSocket: nodeWebSocket,
          reconnect: { minMs: 50, maxMs: 300 },
          ...options,
        }),
      );
    },
    track(client: SignetClient): SignetClient {
      made.push(client);
      return client;
    },
    stopAll(): void {
      for (const client of made.splice(0)) client.stop();
    },
  };
}
