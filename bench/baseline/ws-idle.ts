/**
 * The bare baseline for idle sockets: a `ws` server that takes one auth-like frame per
 * socket, answers `ready`, and keeps the socket in a Set. What an idle socket costs
 * with nothing of Signet's on top.
 */
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

const sockets = new Set<WebSocket>();
const http = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'ok', sockets: sockets.size }));
});
const server = new WebSocketServer({ server: http, maxPayload: 64 * 1024 });
server.on('connection', (socket) => {
  socket.once('message', (data) => {
    JSON.parse(data.toString());
    sockets.add(socket);
    socket.send(JSON.stringify({ type: 'ready', cursor: '0' }));
  });
  socket.on('close', () => sockets.delete(socket));
});
http.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) process.on('SIGUSR2', () => gc());
