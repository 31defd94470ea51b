import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DATABASES,
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import { createArticle, createCollection } from '../../server/test/help-factories.ts';
import { HelpError } from '../src/help.ts';
import { suiteClients } from './clients.ts';

/** HELP.md "Client API" through the client: what its current session may read, and nothing else. */
describe.each(DATABASES)('the client’s help center calls on %s', (kind) => {
  let server: TestServer;
  let url: string;
  let key: { kid: string; secret: string };
  let publicId: string;
  let privateId: string;
  const clients = suiteClients(() => url);
  const newClient = () => clients.make();
  const ids = (hits: { id: string }[]) => hits.map((h) => h.id).sort();

  beforeAll(async () => {
    server = await startTestServer(kind);
    url = (await server.listen()).http;
    key = await server.createKey('help client');
    const collectionId = await createCollection(server, 'Wombats');
    publicId = await createArticle(server, {
      collectionId,
      title: 'Wombat care',
      body: 'Feed the **wombat** <b>daily</b>.',
      audience: { type: 'everyone' },
    });
    privateId = await createArticle(server, {
      collectionId,
      title: 'Your wombat account',
      body: 'Only signed-in wombat keepers read this.',
      audience: { type: 'signed_in' },
    });
  });
  afterEach(() => {
    clients.stopAll();
  });
  afterAll(() => server.close());

  it('anonymous: lists and reads the public article only; the other is null, not an error', async () => {
    const client = newClient();
    await client.start();
    const hits = await client.help.search('womb');
    expect(ids(hits)).toEqual([publicId]);
    expect(hits[0]!.snippet).toContain('<mark>');
    expect(hits[0]!.snippet).not.toContain('<b>');
    expect(await client.help.article(privateId)).toBeNull();
    expect(await client.help.article('no such id / ../')).toBeNull();
    expect(await client.help.article(publicId)).toMatchObject({ id: publicId, title: 'Wombat care' });
  });

  it('signed in: finds and reads the signed-in article, gets a one-time link; after logout it is gone', async () => {
    const client = newClient();
    const externalId = uniqueExternalId('keeper');
    void client.login(() => signUserToken(key, { external_id: externalId }));
    await client.start();
    expect(ids(await client.help.search('wombat'))).toEqual([publicId, privateId].sort());
    const article = await client.help.article(privateId);
    expect(article?.html).toContain('signed-in wombat keepers');
    const link = new URL(await client.help.ticketUrl(privateId));
    expect(link.pathname).toBe('/help/auth');
    expect(link.searchParams.get('ticket')).toBeTruthy();

    await client.logout();
    expect(ids(await client.help.search('wombat'))).toEqual([publicId]);
    expect(await client.help.article(privateId)).toBeNull();
  });

  it('no link into an article the session may not read: a HelpError with the server’s code', async () => {
    const client = newClient();
    await client.start();
    const refused = await client.help.ticketUrl(privateId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HelpError);
    expect(refused).toMatchObject({ status: 404, code: 'not_found' });
  });
});
