import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/** Random bits are drawn 4 KiB at a time (one draw per 256 ids, not one each: the message path makes several). */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function sixteenRandomBytes(): Buffer {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 16;
  return pool.subarray(poolAt - 16, poolAt);
}

/**
 * A UUIDv7 (RFC 9562): 48-bit milliseconds then random bits, so ids sort by creation
 * time and B-tree inserts stay at the right edge. Within one millisecond a 12-bit
 * counter in `rand_a` keeps ids from one process strictly increasing.
 */
export function newId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    lastMs += 1;
    sequence = 0;
  }
  const bytes = sixteenRandomBytes();
  const ms = lastMs;
  bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | ((sequence >>> 8) & 0x0f);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids that cannot name anything are answered 404 without asking the database. */
export function isId(value: string): boolean {
  return UUID_PATTERN.test(value);
}
