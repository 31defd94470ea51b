/**
 * The client in plain Node, outside any test runner: its storage is a file the caller
 * chose, its WebSocket the `ws` package. Run by node-runtime.test.ts:
 *   node --import tsx node-messenger.ts <server url> <token file> <text> [jwt]
 * Prints one JSON line: the state after the message was stored.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { SignetClient, type TokenStore, type WebSocketLike } from '../src/index.ts';

const [serverUrl, file, text, jwt] = process.argv.slice(2) as [string, string, string, string?];
const fileStore: TokenStore = {
  get: () => {
    try {
      return readFileSync(file, 'utf8') || null;
    } catch {
      return null;
    }
  },
  set: (token) => writeFileSync(file, token),
  clear: () => rmSync(file, { force: true }),
};

const client = new SignetClient({
  serverUrl,
  store: fileStore,
  webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
});
if (jwt) void client.login(() => jwt);
await client.start();
client.send(text);
const deadline = Date.now() + 10_000;
while (client.state.pending.length > 0 || client.state.connection !== 'online') {
  if (Date.now() > deadline) throw new Error(`not stored in time: ${JSON.stringify(client.state)}`);
  await new Promise((r) => setTimeout(r, 20));
}
const { user, authenticated, conversations, connection } = client.state;
console.log(
  JSON.stringify({
    userId: user?.id,
    authenticated,
    connection,
    texts: conversations.flatMap((c) => c.messages.map((m) => m.text)),
  }),
);
client.stop();
