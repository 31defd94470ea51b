import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findArticle, findReadableArticle, listReadableArticles } from '../src/help/articles.repository.ts';
import { canRead, type Viewer } from '../src/help/can-read.ts';
import { searchArticles } from '../src/help/search.repository.ts';
import { accessOf } from '../src/help/views.ts';
import { DATABASES, startTestServer, type TestServer } from './harness.ts';
import { createArticle, createCollection } from './help-factories.ts';

/**
 * HELP.md "One rule": canRead (asked again before an article's text is served, and by the
 * agents' check) and the SQL filter (used by every read, list, count and search) must
 * give the same answer for every viewer and every audience. fast-check draws both.
 * Search runs the filter inside its own ranking statement, so it is asked too.
 */
const TAGS = ['plan:pro', 'plan:team', 'region:eu', 'beta'];
const tags = fc.subarray(TAGS);
const audience = fc.oneof(
  fc.constant({ type: 'everyone' as const }),
  fc.constant({ type: 'signed_in' as const }),
  fc.record({ type: fc.constant('segment' as const), tagsAll: tags, tagsAny: tags }),
);
const viewer: fc.Arbitrary<Viewer> = fc.oneof(
  fc.constant({ kind: 'nobody' as const }),
  fc.record({
    kind: fc.constant('session' as const),
    sessionId: fc.constant('s'),
    userId: fc.constant('u'),
    signedIn: fc.boolean(),
    tags,
  }),
);

describe.each(DATABASES)('canRead and the SQL filter agree, on %s', (kind) => {
  let server: TestServer;
  let collectionId: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    collectionId = await createCollection(server, 'Property');
  });
  afterAll(() => server.close());

  it('for any viewer and any article', async () => {
    const { db, dialect } = server.runtime.storage;
    await fc.assert(
      fc.asyncProperty(
        audience,
        fc.constantFrom('draft', 'published'),
        fc.array(viewer, { minLength: 1, maxLength: 6 }),
        async (aud, status, viewers) => {
          const id = await createArticle(server, { collectionId, title: 'p', audience: aud, status });
          const row = (await findArticle(db, id))!;
          for (const v of viewers) {
            const expected = canRead(v, accessOf(row));
            expect((await findReadableArticle(db, v, id)) !== undefined).toBe(expected);
            const listed = await listReadableArticles(db, v, { collectionId, limit: 10_000 });
            expect(listed.some((a) => a.id === id)).toBe(expected);
            const found = await searchArticles(db, dialect, v, ['p'], 10_000);
            expect(found.some((a) => a.id === id)).toBe(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
