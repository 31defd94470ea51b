import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { RESTART_ABOVE_PAGES } from '../src/db/checkpointer.ts';
import { openStorage, type Storage } from '../src/db/database.ts';

type Filler = { storage: Storage; insertPage(): Promise<void>; walPages(): number };

/** A fresh SQLite storage with a table whose rows are about a page each. */
async function withFiller(run: (filler: Filler) => Promise<void>): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'signet-wal-')), 'signet.db');
  // These tests need thousands of commits a second to grow a WAL; durability is not what
  // they measure, so commits skip the fsync that synchronous=FULL makes of each.
  const storage = openStorage({ dialect: 'sqlite', file, synchronous: 'normal' });
  const padding = 'x'.repeat(3000);
  try {
    await sql`create table filler (id integer primary key, body text)`.execute(storage.db);
    await run({
      storage,
      insertPage: async () =>
        void (await sql`insert into filler (body) values (${padding})`.execute(storage.db)),
      walPages: () => Math.round(statSync(`${file}-wal`).size / 4120),
    });
  } finally {
    await storage.close();
  }
}

describe('SQLite checkpoints', () => {
  it('keep the WAL bounded under writes that never pause', async () => {
    await withFiller(async ({ insertPage, walPages }) => {
      let rows = 0;
      let largest = 0;
      const until = Date.now() + 4000;
      while (Date.now() < until) {
        await insertPage();
        if (++rows % 100 === 0) largest = Math.max(largest, walPages());
        // A server turns its event loop between requests; so does this.
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Without the catch-up on the serving connection the WAL holds every page written
      // (passive checkpoints alone never let it start over while writes continue).
      expect(rows).toBeGreaterThan(4 * RESTART_ABOVE_PAGES);
      expect(largest).toBeLessThan(rows / 2);
    });
  }, 15_000);

  it('run off the event loop and keep the WAL from growing: it restarts once a checkpoint catches up', async () => {
    await withFiller(async ({ storage, insertPage, walPages }) => {
      let largest = 0;
      for (let round = 0; round < 12; round++) {
        for (let i = 0; i < 100; i++) await insertPage();
        largest = Math.max(largest, walPages());
        // Longer than the checkpointer's period: it catches up, the next write restarts the WAL.
        await new Promise((r) => setTimeout(r, 450));
      }
      // SQLite's own checkpoints are off on this connection, so without the worker the WAL
      // would hold every one of the 1,200 rows' pages.
      expect(largest).toBeLessThan(600);
      const rows = await sql<{ n: number }>`select count(*) as n from filler`.execute(storage.db);
      expect(rows.rows[0]!.n).toBe(1200);
    });
  });
});
