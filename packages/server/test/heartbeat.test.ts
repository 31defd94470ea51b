import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from '../src/realtime/heartbeat.ts';

/** A socket as the heartbeat sees it: counts its pings, and whether it was cut off. */
function peer() {
  const seen = { pings: 0, terminated: false };
  const conn = {
    alive: true,
    ws: {
      ping: () => {
        seen.pings++;
      },
      terminate: () => {
        seen.terminated = true;
      },
    },
  };
  return { conn: conn as unknown as Parameters<Heartbeat['add']>[0], seen };
}

describe('the socket heartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pings a slice of the sockets per tick, never all of them at once, and each once per interval', () => {
    const heartbeat = new Heartbeat(1000);
    const peers = Array.from({ length: 1000 }, peer);
    for (const { conn } of peers) heartbeat.add(conn);
    const pinged = () => peers.filter((p) => p.seen.pings > 0).length;

    vi.advanceTimersByTime(100);
    expect(pinged()).toBe(100);
    vi.advanceTimersByTime(400);
    expect(pinged()).toBe(500);
    vi.advanceTimersByTime(500);
    expect(pinged()).toBe(1000);
    expect(peers.every((p) => p.seen.pings === 1)).toBe(true);
    heartbeat.close();
  });

  it('cuts off a socket that did not answer its last ping, keeps one that did, and forgets a removed one', () => {
    const heartbeat = new Heartbeat(1000);
    const [silent, answering, removed] = [peer(), peer(), peer()];
    for (const p of [silent, answering, removed]) heartbeat.add(p.conn);
    vi.advanceTimersByTime(1000);
    expect([silent, answering, removed].map((p) => p.seen.pings)).toEqual([1, 1, 1]);

    answering.conn.alive = true; // its pong arrived
    heartbeat.remove(removed.conn);
    vi.advanceTimersByTime(1000);
    expect(silent.seen.terminated).toBe(true);
    expect(answering.seen).toEqual({ pings: 2, terminated: false });
    expect(removed.seen).toEqual({ pings: 1, terminated: false });

    // A socket cut off is not pinged again.
    vi.advanceTimersByTime(1000);
    expect(silent.seen.pings).toBe(1);
    heartbeat.close();
  });
});
