import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listConversationsOfUser } from '../src/messaging/conversations.repository.ts';
import { listMessagesOfUser } from '../src/messaging/messages.repository.ts';
import { anonymousSession, login, seedHistory } from './factories.ts';
import { DATABASES, signUserToken, startTestServer, type TestServer, uniqueExternalId } from './harness.ts';

/** IDENTITY.md §3: concurrent logins for one new external id make exactly one user. */
describe.each(DATABASES)('concurrent logins on %s', (kind) => {
  let server: TestServer;
  let key: { kid: string; secret: string };

  beforeAll(async () => {
    server = await startTestServer(kind);
    key = await server.createKey();
  });
  afterAll(() => server.close());

  it('50 logins at once with the same new external id produce one user', async () => {
    const externalId = uniqueExternalId('race');
    const jwt = await signUserToken(key, {
      external_id: externalId,
      name: 'Racer',
      email: `${externalId}@x.example`,
      email_verified: true,
    });
    const responses = await Promise.all(Array.from({ length: 50 }, () => login(server, jwt)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
    const userIds = new Set(responses.map((r) => r.json().user.id));
    expect(userIds.size).toBe(1);
    expect(responses.filter((r) => r.json().resolution === 'created')).toHaveLength(1);
    const lookup = await server.request('GET', `/v1/users?externalId=${externalId}`, {
      token: server.adminToken,
    });
    expect(lookup.json().data).toHaveLength(1);
    expect(lookup.json().data[0].identities).toHaveLength(2);
  });

  it('50 anonymous devices logging in as one new user at once: one user holding all their history', async () => {
    const externalId = uniqueExternalId('devices');
    const devices = await Promise.all(Array.from({ length: 50 }, () => anonymousSession(server)));
    for (const [i, device] of devices.entries())
      await seedHistory(server, device.sessionToken, `device ${i}`);
    const jwt = await signUserToken(key, { external_id: externalId });
    const responses = await Promise.all(devices.map((d) => login(server, jwt, d.sessionToken)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
    const userIds = new Set(responses.map((r) => r.json().user.id));
    expect(userIds.size).toBe(1);
    const [userId] = [...userIds] as [string];
    expect(responses.every((r) => r.json().mergedAnonymous)).toBe(true);

    const db = server.runtime.storage.db;
    expect(await listConversationsOfUser(db, userId)).toHaveLength(50);
    const texts = (await listMessagesOfUser(db, userId)).map((m) => m.text).sort();
    expect(texts).toEqual(devices.map((_, i) => `device ${i}`).sort());
    // Every old anonymous id now answers with the one user.
    for (const device of devices.slice(0, 5)) {
      const response = await server.request('GET', `/v1/users/${device.userId}`, {
        token: server.adminToken,
      });
      expect(response.json().id).toBe(userId);
    }
  });
});
