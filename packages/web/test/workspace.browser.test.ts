import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../server/src/agents/create-agent.ts';
import { login } from '../../server/test/factories.ts';
import {
  signUserToken,
  startTestServer,
  type TestServer,
  uniqueExternalId,
} from '../../server/test/harness.ts';
import { type Device, hasChromium, openDevice, until } from '../../widget/test/browser.ts';

/** The agent workspace in a real Chromium against a real server. */
describe.skipIf(!hasChromium)('the agent workspace in Chromium', () => {
  let server: TestServer;
  let base: string;
  let key: { kid: string; secret: string };
  const devices: Device[] = [];
  const password = 'correct horse battery';

  const signIn = async (email: string): Promise<Page> => {
    const device = await openDevice();
    devices.push(device);
    const { page } = device;
    await page.goto(base);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('nav').waitFor();
    return page;
  };
  const endUser = async (claims: Record<string, unknown>, sessionToken?: string) =>
    (await login(server, await signUserToken(key, claims), sessionToken)).json();
  const sendAsUser = async (sessionToken: string, text: string) =>
    (
      await server.request('POST', '/v1/client/messages', {
        token: sessionToken,
        body: { text, clientMessageId: `w-${Math.random()}` },
      })
    ).json();
  const openConversationOf = async (page: Page, name: string) => {
    await page.locator('[data-testid=conversation-row]', { hasText: name }).first().click();
    await page.locator('[data-testid=user-panel]').waitFor();
  };

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    base = (await server.listen()).http;
    key = await server.createKey();
    await createAgent(server.runtime, {
      email: 'admin@shop.example',
      name: 'Alice Admin',
      role: 'admin',
      password,
    });
    await createAgent(server.runtime, {
      email: 'agent@shop.example',
      name: 'Bob Agent',
      role: 'agent',
      password,
    });
  });
  afterEach(async () => {
    for (const device of devices.splice(0)) await device.close();
  });
  afterAll(() => server.close());

  it('an authenticated user’s message arrives live with its check mark, verified email and external id; the reply reaches them', async () => {
    const page = await signIn('agent@shop.example');
    const externalId = uniqueExternalId('live');
    const session = await endUser({
      external_id: externalId,
      name: 'Carol Customer',
      email: `${externalId}@mail.example`,
      email_verified: true,
    });
    await sendAsUser(session.sessionToken, 'My order never arrived');
    await page.locator('[data-testid=conversation-row]', { hasText: 'Carol Customer' }).waitFor();
    await openConversationOf(page, 'Carol Customer');
    await page.locator('[data-testid=thread-message]', { hasText: 'My order never arrived' }).waitFor();
    expect(await page.locator('[data-testid=message-check]').count()).toBe(1);
    expect(await page.locator('[data-testid=verified-email]').textContent()).toBe(
      `${externalId}@mail.example`,
    );
    expect(await page.locator('[data-testid=external-id]').textContent()).toBe(externalId);
    expect(await page.locator('[data-testid=user-panel] [data-testid=auth-badge]').count()).toBe(1);

    await sendAsUser(session.sessionToken, 'It was order 42');
    await page.locator('[data-testid=thread-message]', { hasText: 'It was order 42' }).waitFor();
    await page.getByLabel('Reply').fill('Sorry! A new parcel ships today.');
    await page.getByRole('button', { name: 'Send' }).click();
    await until(async () => {
      const history = (
        await server.request('GET', '/v1/client/conversations', { token: session.sessionToken })
      ).json();
      return history.data[0].messages.some(
        (m: { text: string }) => m.text === 'Sorry! A new parcel ships today.',
      );
    }, 'the reply at the end user');
    await page.screenshot({ path: await artifact('inbox.png') });
  });

  it('the reply box sends on Enter; Shift+Enter starts a new line', async () => {
    const page = await signIn('agent@shop.example');
    const session = await endUser({ external_id: uniqueExternalId('enter'), name: 'Erin Enter' });
    await sendAsUser(session.sessionToken, 'Can I change my address?');
    await openConversationOf(page, 'Erin Enter');
    const box = page.getByLabel('Reply');
    await box.click();
    await page.keyboard.type('Yes, two steps:');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('open Account, then Address.');
    expect(await box.inputValue()).toBe('Yes, two steps:\nopen Account, then Address.');
    const agentTexts = async () =>
      (await server.request('GET', '/v1/client/conversations', { token: session.sessionToken }))
        .json()
        .data[0].messages.filter((m: { author: { type: string } }) => m.author.type === 'agent')
        .map((m: { text: string }) => m.text);
    expect(await agentTexts()).toEqual([]);
    await page.keyboard.press('Enter');
    await until(async () => (await agentTexts()).length === 1, 'the reply sent by Enter');
    expect(await agentTexts()).toEqual(['Yes, two steps:\nopen Account, then Address.']);
    await until(async () => (await box.inputValue()) === '', 'the box emptied');
    // Enter on an empty box sends nothing.
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=thread-message]', { hasText: 'open Account' }).waitFor();
    expect(await agentTexts()).toHaveLength(1);
  });

  it('help center: an article written with a live preview, published for a tag, and its access checked', async () => {
    const page = await signIn('agent@shop.example');
    await page.goto(`${base}/#/help`);
    await page.getByLabel('New collection').fill('Plans');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('button', { name: 'New article' }).click();
    await page.getByLabel('Title').fill('Pro perks');
    await page.getByLabel('Body').fill('**Free** express shipping <script>window.__ran = 1</script>');
    const preview = page.locator('[data-testid=article-preview]');
    await preview.locator('strong', { hasText: 'Free' }).waitFor();
    expect(await preview.locator('script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __ran?: number }).__ran)).toBeUndefined();
    await page.getByLabel('Status').selectOption('published');
    await page.getByLabel('Customers with tags').check();
    await page.getByLabel('Tags, all').fill('plan:pro');
    await page.getByLabel('Tags, all').blur();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-testid=article-row]', { hasText: 'published · Tags: plan:pro' }).waitFor();

    const articles = (await server.request('GET', '/v1/articles', { token: server.agentToken })).json().data;
    const saved = articles.find((a: { title: string }) => a.title === 'Pro perks');
    expect(saved).toMatchObject({
      status: 'published',
      audience: { type: 'segment', tagsAll: ['plan:pro'], tagsAny: [] },
    });

    const visitor = (await server.request('POST', '/v1/client/sessions', { body: {} })).json();
    await page.getByLabel('Customer id for access check').fill(visitor.user.id);
    await page.getByRole('button', { name: 'Check access' }).click();
    await until(
      async () =>
        (await page.locator('[data-testid=access-result]').textContent()) ===
        'Cannot read: not signed in now',
      'the access check',
    );
  });

  it('while replying, finds an article, says whether this customer can read it, and inserts its link', async () => {
    const collection = (
      await server.request('POST', '/v1/collections', {
        token: server.adminToken,
        body: { title: 'Billing' },
      })
    ).json();
    const article = (
      await server.request('POST', '/v1/articles', {
        token: server.adminToken,
        body: {
          collectionId: collection.id,
          title: 'Invoices for Pro',
          body: 'Download invoices from Billing.',
          status: 'published',
          audience: { type: 'segment', tagsAll: ['plan:pro'] },
        },
      })
    ).json();
    const visitor = (await server.request('POST', '/v1/client/sessions', { body: {} })).json();
    await server.request('PATCH', `/v1/users/${visitor.user.id}`, {
      token: server.adminToken,
      body: { name: 'Ivy Invoice' },
    });
    await sendAsUser(visitor.sessionToken, 'Where are my invoices?');
    const page = await signIn('agent@shop.example');
    await openConversationOf(page, 'Ivy Invoice');
    await page.getByLabel('Find an article').fill('invoi');
    const found = page.locator('[data-testid=found-article]', { hasText: 'Invoices for Pro' });
    await found
      .locator('[data-testid=article-access]', { hasText: 'Customer cannot read it: not signed in now' })
      .waitFor();
    await found.getByRole('button', { name: 'Insert' }).click();
    expect(await page.getByLabel('Reply').inputValue()).toBe(
      `Invoices for Pro: ${base}/help/articles/${article.id}`,
    );
  });

  it('a user created through the API with an external id has no badge until their first JWT login', async () => {
    const externalId = uniqueExternalId('directory');
    const apiUser = (
      await server.request('POST', '/v1/users', {
        token: server.adminToken,
        body: { externalId, name: 'Dana Directory' },
      })
    ).json();
    const visitor = (await server.request('POST', '/v1/client/sessions', { body: {} })).json();
    await sendAsUser(visitor.sessionToken, 'question from the directory user');
    await server.request('POST', `/v1/users/${visitor.user.id}/merge`, {
      token: server.adminToken,
      body: { intoUserId: apiUser.id },
    });

    const page = await signIn('agent@shop.example');
    await openConversationOf(page, 'Dana Directory');
    expect(await page.locator('[data-testid=external-id]').textContent()).toBe(externalId);
    expect(await page.locator('[data-testid=user-panel] [data-testid=auth-badge]').count()).toBe(0);
    await expect(page.locator('[data-testid=user-panel]').textContent()).resolves.toContain(
      'Never authenticated',
    );

    await endUser({ external_id: externalId });
    await page.reload();
    await openConversationOf(page, 'Dana Directory');
    await until(
      async () => (await page.locator('[data-testid=user-panel] [data-testid=auth-badge]').count()) === 1,
      'the badge',
    );
  });

  it('a new signing key shows its secret once; deleting it makes the next login unknown_kid in the auth log', async () => {
    const page = await signIn('admin@shop.example');
    await page.goto(`${base}/#/keys`);
    await page.getByLabel('Key name').fill('checkout');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('[data-testid=secret-value]').textContent())!;
    expect(secret.length).toBeGreaterThanOrEqual(43);
    const row = page.locator('[data-testid=key-row]', { hasText: 'checkout' });
    const kid = (await row.locator('code').first().textContent())!;

    await page.reload();
    await row.waitFor();
    expect(await page.locator('body').textContent()).not.toContain(secret);
    expect(await row.textContent()).toContain(`${secret.slice(0, 6)}…`);

    await row.getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByRole('alertdialog').textContent()).resolves.toContain('must log in again');
    await page.getByRole('button', { name: 'Delete key' }).click();
    await until(async () => (await row.count()) === 0, 'the key gone');

    const externalId = uniqueExternalId('after-delete');
    const refused = await login(server, await signUserToken({ kid, secret }, { external_id: externalId }));
    expect(refused.statusCode).toBe(401);
    await page.goto(`${base}/#/auth-log`);
    await page.getByLabel('External id').fill(externalId);
    await page.getByLabel('External id').press('Enter');
    await page.getByLabel('External id').blur();
    const logged = page.locator('[data-testid=auth-row]', { hasText: externalId });
    await logged.waitFor();
    expect(await logged.getAttribute('data-outcome')).toBe('unknown_kid');
    expect(await logged.textContent()).toContain('names no live signing key');
  });

  it('the auth log chart and table reflect a mix of successes and failures', async () => {
    const externalId = uniqueExternalId('mix');
    for (let i = 0; i < 3; i++) await endUser({ external_id: externalId });
    for (let i = 0; i < 2; i++)
      await login(
        server,
        await signUserToken({ kid: key.kid, secret: 'not the secret' }, { external_id: externalId }),
      );
    await login(server, await signUserToken(key, { external_id: externalId, exp: 1 }));
    const totals = (
      await server.request('GET', '/v1/auth-events/stats?window=24h', { token: server.adminToken })
    ).json().totals;

    const page = await signIn('admin@shop.example');
    await page.goto(`${base}/#/auth-log`);
    const legend = page.locator('[data-testid=legend-item]');
    await legend.first().waitFor();
    for (const outcome of ['ok', 'bad_signature', 'expired']) {
      expect(
        await page.locator(`[data-testid=legend-item][data-outcome=${outcome}]`).textContent(),
      ).toContain(`${outcome}: ${totals[outcome]}`);
    }
    expect(totals.bad_signature).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-testid=auth-chart] rect').count()).toBeGreaterThan(0);
    await page.getByLabel('External id').fill(externalId);
    await page.getByLabel('External id').blur();
    await until(
      async () => (await page.locator('[data-testid=auth-row]').count()) === 6,
      'six rows for the integrator',
    );
    const outcomes = await page
      .locator('[data-testid=auth-row]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-outcome')));
    expect(outcomes.sort()).toEqual(['bad_signature', 'bad_signature', 'expired', 'ok', 'ok', 'ok']);
    await page.getByLabel('External id').fill('');
    await page.getByLabel('External id').blur();
    await page.screenshot({ path: await artifact('auth-log.png'), fullPage: true });
  });

  it('merges by hand from the possible-match suggestion: one user remains, holding both histories', async () => {
    const externalId = uniqueExternalId('owner');
    const email = `${externalId}@mail.example`;
    const owner = await endUser({ external_id: externalId, name: 'Erin Owner', email, email_verified: true });
    await sendAsUser(owner.sessionToken, 'owner’s earlier question');
    const visitor = (await server.request('POST', '/v1/client/sessions', { body: {} })).json();
    await server.request('PATCH', '/v1/client/profile', {
      token: visitor.sessionToken,
      body: { email, name: 'Typed By Visitor' },
    });
    await sendAsUser(visitor.sessionToken, 'visitor’s question');

    const page = await signIn('agent@shop.example');
    await openConversationOf(page, 'Typed By Visitor');
    const match = page.locator('[data-testid=possible-match]');
    await match.waitFor();
    await match.getByRole('button', { name: 'Merge…' }).click();
    await expect(page.getByRole('alertdialog').textContent()).resolves.toContain('move to Erin Owner');
    await page.screenshot({ path: await artifact('user-panel.png') });
    await page.getByRole('button', { name: 'Merge into Erin Owner' }).click();

    await until(
      async () =>
        (await server.request('GET', `/v1/users/${visitor.user.id}`, { token: server.adminToken })).json()
          .id === owner.user.id,
      'the merge',
    );
    const conversations = (
      await server.request('GET', `/v1/conversations?userId=${owner.user.id}`, { token: server.adminToken })
    ).json();
    expect(conversations.data).toHaveLength(2);
    const byEmail = (
      await server.request('GET', `/v1/users?email=${encodeURIComponent(email)}`, {
        token: server.adminToken,
      })
    ).json();
    expect(byEmail.data.map((u: { id: string }) => u.id)).toEqual([owner.user.id]);
  });

  it('an agent who is not an admin sees no admin pages and is refused by the admin API', async () => {
    const page = await signIn('agent@shop.example');
    expect(await page.locator('nav a', { hasText: 'Signing keys' }).count()).toBe(0);
    await page.goto(`${base}/#/keys`);
    await page.locator('.inbox').waitFor();
    expect(await page.locator('h1', { hasText: 'Signing keys' }).count()).toBe(0);
    const status = await page.evaluate(async () => (await fetch('/v1/signing-keys')).status);
    expect(status).toBe(403);
    const withoutCsrf = await page.evaluate(
      async () =>
        (
          await fetch('/v1/users', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"name":"x"}',
          })
        ).status,
    );
    expect(withoutCsrf).toBe(403);
  });
});

async function artifact(name: string): Promise<string> {
  const { mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { ARTIFACTS } = await import('../../widget/test/browser.ts');
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
