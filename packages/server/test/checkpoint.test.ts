import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { RESTART_ABOVE_PAGES } from '../src/db/checkpointer.ts';
import { openStorage } from '../src/db/database.ts';

const walPages = (file: string) => Math.round(statSync(`${file}-wal`).size / 4120);

describe('SQLite checkpoints', () => {
  it('keep the WAL bounded under writes that never pause', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'signet-wal-')), 'signet.db');
    const storage = openStorage({ dialect: 'sqlite', file });
    try {
      await sql`create table filler (id integer primary key, body text)`.execute(storage.db);
      const padding = 'x'.repeat(3000); // about one page per row
      let rows = 0;
      let largest = 0;
      const until = Date.now() + 4000;
      while (Date.now() < until) {
        await sql`insert into filler (body) values (${padding})`.execute(storage.db);
        if (++rows % 100 === 0) largest = Math.max(largest, walPages(file));
        // A server turns its event loop between requests; so does this.
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Without the catch-up on the serving connection the WAL holds every page written
      // (passive checkpoints alone never let it start over while writes continue).
      expect(rows).toBeGreaterThan(4 * RESTART_ABOVE_PAGES);
      expect(largest).toBeLessThan(rows / 2);
    } finally {
      await storage.close();
    }
  }, 15_000);

  it('run off the event loop and keep the WAL from growing: it restarts once a checkpoint catches up', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'signet-wal-')), 'signet.db');
    const storage = openStorage({ dialect: 'sqlite', file });
    try {
      await sql`create table filler (id integer primary key, body text)`.execute(storage.db);
      const padding = 'x'.repeat(3000); // about one page per row
      let written = 0;
      let largest = 0;
      for (let round = 0; round < 12; round++) {
        for (let i = 0; i < 100; i++) {
          await sql`insert into filler (body) values (${padding})`.execute(storage.db);
          written++;
        }
        largest = Math.max(largest, walPages(file));
        // Longer than the checkpointer's period: it catches up, the next write restarts the WAL.
        await new Promise((r) => setTimeout(r, 450));
      }
      // SQLite's own checkpoints are off on this connection, so without the worker the WAL
      // would hold every one of the 1,200 rows' pages.
      expect(written).toBe(1200);
      expect(largest).toBeLessThan(600);
      const rows = await sql<{ n: number }>`select count(*) as n from filler`.execute(storage.db);
      expect(rows.rows[0]!.n).toBe(1200);
    } finally {
      await storage.close();
    }
  });
});
