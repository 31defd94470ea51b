import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Connection, MAX_BUFFERED_BYTES } from '../src/realtime/connection.ts';
import { anonymousSession } from './factories.ts';
import { startTestServer, type TestServer } from './harness.ts';

describe('socket health', () => {
  let server: TestServer;
  let ws: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { SOCKET_HEARTBEAT_SECONDS: '1' });
    ws = (await server.listen()).ws;
  });
  afterAll(() => server.close());

  const ready = async (sessionToken: string) => {
    const client = new WebSocket(`${ws}/v1/client/ws`);
    await new Promise((resolve) => client.once('open', resolve));
    const gotReady = new Promise((resolve) => client.once('message', resolve));
    client.send(JSON.stringify({ type: 'auth', sessionToken }));
    await gotReady;
    return client;
  };

  it('cuts off a peer that stops answering heartbeats, and keeps one that answers', async () => {
    const { sessionToken } = await anonymousSession(server);
    const healthy = await ready(sessionToken);
    const silent = await ready(sessionToken);
    expect(server.app.gateway.size).toBe(2);
    // Stop reading the TCP stream: pings are never seen, so no pong goes back.
    (silent as unknown as { _socket: { pause(): void } })._socket.pause();
    const deadline = Date.now() + 6000;
    while (server.app.gateway.size > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(server.app.gateway.size).toBe(1);
    expect(healthy.readyState).toBe(WebSocket.OPEN);
    silent.terminate();
    healthy.close();
  }, 15_000);
});

describe('Connection', () => {
  it('drops a consumer that reads too slowly instead of buffering without bound', () => {
    const sent: string[] = [];
    const closed: number[] = [];
    // The subset of a ws socket that Connection uses, with a buffer we control.
    const socket = {
      OPEN: 1,
      CLOSED: 3,
      readyState: 1,
      bufferedAmount: 0,
      on() {},
      send: (data: string) => sent.push(data),
      close: (code: number) => closed.push(code),
      terminate() {},
    };
    const conn = new Connection(socket as unknown as WebSocket, 'client');
    conn.send({ type: 'pong' });
    socket.bufferedAmount = MAX_BUFFERED_BYTES + 1;
    conn.send({ type: 'pong' });
    expect(sent).toHaveLength(1);
    expect(closed).toEqual([4008]);
  });
});
