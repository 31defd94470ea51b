import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../server/test/cluster.ts';
import { ARTIFACTS, type Device, hasChromium, openDevice, until } from '../../widget/test/browser.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The first ten minutes: a fresh server, as `npm start` runs it, set up from its log in Chromium. */
describe.skipIf(!hasChromium)('first run in Chromium', () => {
  let server: ChildProcess;
  let base: string;
  let log = '';
  let device: Device;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'signet-first-run-')),
        PORT: String(port),
        HOST: '127.0.0.1',
        SIGNET_DEMO: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (chunk) => {
      log += chunk.toString();
    });
    server.stderr!.on('data', (chunk) => {
      log += chunk.toString();
    });
    await until(() => /setup code ([A-Z0-9-]+)/.test(log), 'the setup code in the log', 30_000);
    device = await openDevice();
  }, 40_000);
  afterAll(async () => {
    await device?.close();
    server?.kill('SIGTERM');
  });

  it('the setup page takes the code from the log, creates a signed-in admin, and is gone afterwards', async () => {
    const code = /setup code ([A-Z0-9-]+)/.exec(log)![1]!;
    const { page } = device;
    await page.goto(base);
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(0);

    const fill = async (setupCode: string) => {
      await page.getByLabel('Setup code').fill(setupCode);
      await page.getByLabel('Your name').fill('Olive Owner');
      await page.getByLabel('Email').fill('owner@shop.example');
      await page.getByLabel('Password (10 characters or more)').fill('a long enough password');
      await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    };
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'setup.png') });
    await fill('WRONG-WRONG-WRONG');
    await page.getByRole('alert').filter({ hasText: 'not the setup code' }).waitFor();

    await fill(code);
    await page.locator('nav').getByText('Olive Owner').waitFor();
    await page.getByRole('link', { name: 'Signing keys' }).waitFor();

    // Another browser, signed out: the sign-in form, and the setup route refuses.
    const other = await openDevice();
    try {
      await other.page.goto(base);
      await other.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      expect(await other.page.getByText('Create the first admin').count()).toBe(0);
    } finally {
      await other.close();
    }
    const again = await fetch(`${base}/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code,
        email: 'late@shop.example',
        name: 'Late',
        password: 'a long enough password',
      }),
    });
    expect(again.status).toBe(409);
  });

  it('the checklist ticks the key from the server; the snippet shows this server and the kid, never the secret', async () => {
    const { page } = device;
    await page.goto(`${base}/#/keys`);
    const checklist = page.locator('[data-testid=getting-started]');
    await checklist.waitFor();
    const step = (text: string) => checklist.locator('li', { hasText: text });
    expect(await step('Create a signing key').getAttribute('data-done')).toBe('no');

    await page.getByLabel('Key name').fill('Web shop');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('[data-testid=secret-value]').textContent())!;
    const kid = (await page
      .locator('[data-testid=key-row]', { hasText: 'Web shop' })
      .locator('code')
      .first()
      .textContent())!;

    await page.getByRole('link', { name: 'Snippet', exact: true }).click();
    await until(
      async () => (await step('Create a signing key').getAttribute('data-done')) === 'yes',
      'the key step ticked',
    );
    expect(await step('A customer logs in').getAttribute('data-done')).toBe('no');
    const html = (await page.locator('[data-testid=host-snippet]').textContent())!;
    expect(html).toContain(`<script src="${base}/widget.js" async></script>`);
    for (const language of ['Node', 'Python', 'Ruby', 'Go']) {
      await page.getByRole('tab', { name: language }).click();
      const endpoint = (await page.locator('[data-testid=token-endpoint]').textContent())!;
      expect(endpoint).toContain(kid);
      expect(endpoint).not.toContain(secret);
    }
    expect(await page.locator('[data-testid=allowed-origins]').textContent()).toContain('*');
    expect(await page.locator('body').textContent()).not.toContain(secret);
    await page.getByRole('button', { name: 'Copy' }).first().click();
    await page.getByRole('link', { name: 'Signing keys' }).click();
    await until(
      async () => (await step('Copy the messenger snippet').getAttribute('data-done')) === 'yes',
      'the copy step ticked',
    );
    await page.getByRole('link', { name: 'Snippet', exact: true }).click();
    await page.locator('[data-testid=host-snippet]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'snippet.png') });
  });
});
