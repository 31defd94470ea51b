import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStorage, type Storage } from '../../packages/server/src/db/database.ts';
import { migrateToLatest } from '../../packages/server/src/db/migrate.ts';
import { insertArticle } from '../../packages/server/src/help/articles.repository.ts';
import type { Viewer } from '../../packages/server/src/help/can-read.ts';
import { searchArticles } from '../../packages/server/src/help/search.repository.ts';
import { newId } from '../../packages/server/src/ids.ts';
import { percentile } from '../lib/load.ts';
import { freshSchema } from '../lib/postgres.ts';
import { result, type ScenarioResult } from '../lib/results.ts';

export type HelpSearchOptions = { articles: number; queries: number; label: string; databaseUrl?: string };

// A deterministic vocabulary and generator, so runs compare.
const VOCABULARY = Array.from({ length: 3000 }, (_, i) => `w${(i * 7919).toString(36)}x${i.toString(36)}`);
let seed = 42;
/** mulberry32: small, fast, and the same numbers every run (and for each database: see below). */
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const word = () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]!;
const words = (n: number) => Array.from({ length: n }, word).join(' ');
const TAGS = ['plan:pro', 'plan:team', 'region:eu', 'region:us', 'beta'];

/**
 * HELP.md "Search": p50 of the help center's search query (prefix terms, the audience
 * filter inside the query, ranking, the winners' title and text) over `articles` articles,
 * beside a bare full-text query (match + rank + limit, ids only, no filter) on the same
 * data. Both run in process against the repository, so the figure is the database's, not
 * HTTP's; the snippets cut from the returned text are not in it.
 */
export async function helpSearchScenarios(options: HelpSearchOptions): Promise<ScenarioResult[]> {
  // Each database gets the same articles and the same queries.
  seed = 42;
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-help-bench-'));
  const pg = options.databaseUrl ? await freshSchema(options.databaseUrl) : undefined;
  const storage = pg
    ? openStorage({
        dialect: 'postgres',
        url: options.databaseUrl!,
        schema: new URL(pg.url).searchParams.get('options')!.split('=')[1]!,
      })
    : openStorage({ dialect: 'sqlite', file: join(dataDir, 'signet.db') });
  try {
    await migrateToLatest(storage.db);
    await seedArticles(storage, options.articles);
    // A database in service has statistics (autovacuum, or SQLite's optimize); a fresh bulk load does not.
    await sql`analyze`.execute(storage.db);
    const viewer: Viewer = {
      kind: 'session',
      sessionId: 's',
      userId: 'u',
      signedIn: true,
      tags: ['plan:pro', 'region:eu'],
    };
    const queries = Array.from({ length: options.queries }, () =>
      random() < 0.5 ? [word().slice(0, 4)] : [word(), word().slice(0, 3)],
    );
    const filtered: number[] = [];
    const bare: number[] = [];
    for (const terms of queries.slice(0, 50))
      await searchArticles(storage.db, storage.dialect, viewer, terms, 10);
    for (const terms of queries) {
      let start = performance.now();
      await searchArticles(storage.db, storage.dialect, viewer, terms, 10);
      filtered.push(performance.now() - start);
      start = performance.now();
      await bareSearch(storage, terms);
      bare.push(performance.now() - start);
    }
    const p50 = percentile(filtered, 50);
    return [
      result({
        name: `help_search${pg ? '_pg' : ''}`,
        metric: 'p50 ms',
        value: p50,
        baseline: percentile(bare, 50),
        target: 5,
        judge: 'value',
        higherIsBetter: false,
        notes: `${options.label}: ${options.articles} articles, audience filter on (signed in, 2 tags), prefix terms, ranked, the hits' text fetched (snippets are cut from it in process, outside this figure); targets ≤ 5 ms and ≤ 2× the baseline; p99 ${percentile(filtered, 99).toFixed(2)} ms; baseline: bare match + rank + limit on the same index, ids only`,
      }),
    ];
  } finally {
    await storage.close();
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function seedArticles(storage: Storage, count: number): Promise<void> {
  const now = Date.now();
  await storage.db.transaction().execute(async (trx) => {
    const collectionId = newId(now);
    await trx
      .insertInto('help_collections')
      .values({
        id: collectionId,
        title: 'Bench',
        description: '',
        position: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (let i = 0; i < count; i++) {
      const r = random();
      const type = r < 0.5 ? 'everyone' : r < 0.75 ? 'signed_in' : 'segment';
      const tagsAll = type === 'segment' ? [TAGS[i % TAGS.length]!] : [];
      const body = words(120);
      await insertArticle(trx, {
        id: newId(now + i),
        collection_id: collectionId,
        title: words(5),
        body,
        body_text: body,
        status: i % 10 === 0 ? 'draft' : 'published',
        audience_type: type,
        tags_all: JSON.stringify(tagsAll),
        tags_any: '[]',
        created_at: now,
        updated_at: now,
        published_at: now,
      });
    }
  });
}

async function bareSearch(storage: Storage, terms: string[]): Promise<void> {
  if (storage.dialect === 'sqlite') {
    const match = terms.map((t) => `"${t}"*`).join(' ');
    await sql`select rowid from help_articles_fts where help_articles_fts match ${match} order by rank limit 10`.execute(
      storage.db,
    );
  } else {
    const query = terms.map((t) => `${t}:*`).join(' & ');
    await sql`select id from help_articles, to_tsquery('simple', ${query}) q where search @@ q order by ts_rank(search, q) desc limit 10`.execute(
      storage.db,
    );
  }
}
