/**
 * The bare baseline for live messages: a `ws` server that relays each frame from a
 * sender to its listeners (the agent and the sender's second device) and acks it. No
 * auth, no storage, no JSON beyond one parse: what the socket layer alone costs.
 */
import { type WebSocket, WebSocketServer } from 'ws';

const server = new WebSocketServer({ port: Number(process.env.PORT), host: '127.0.0.1' });
/** `/listen/<group>`: the agent listens on group `agent`, a second device on its sender's group. */
const groups = new Map<string, Set<WebSocket>>();

server.on('connection', (socket, request) => {
  const [, role, group = ''] = (request.url ?? '').split('/');
  if (role === 'listen') {
    const set = groups.get(group) ?? new Set();
    groups.set(group, set.add(socket));
    socket.on('close', () => set.delete(socket));
    return;
  }
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { clientMessageId: string; text: string };
    const event = JSON.stringify({ type: 'message.created', message: frame });
    for (const target of [...(groups.get('agent') ?? []), ...(groups.get(group) ?? [])]) target.send(event);
    socket.send(JSON.stringify({ type: 'message.ack', clientMessageId: frame.clientMessageId }));
  });
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
