import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.log(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

/** Screenshots for people to look at: `test-artifacts/` at the repository root. */
export const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts');

/** One browser profile: its own localStorage, like a separate device. */
export type Device = { context: BrowserContext; page: Page; close(): Promise<void> };

export async function openDevice(): Promise<Device> {
  const profile = mkdtempSync(join(tmpdir(), 'signet-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 760 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function until<T>(
  check: () => Promise<T | undefined | false | null> | T,
  what: string,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the shop's backend signs for its logged-in customer. */
export type ShopCustomer = { externalId: string; name?: string; email?: string; expiresIn?: number };

/**
 * The demo shop, driven the way a customer would. The demo's own token endpoint signs
 * only its fixed customers; given `backend`, the page's calls to it are answered by
 * the test instead (standing in for a business's backend), so each test can log in
 * customers of its own.
 */
export class Shop {
  constructor(
    readonly page: Page,
    readonly base: string,
    readonly backend?: (customer: ShopCustomer) => Promise<string>,
  ) {}

  /** A fresh device, kept in `devices` for closing after the test, with the shop open on it. */
  static async onNewDevice(
    devices: Device[],
    base: string,
    backend?: (customer: ShopCustomer) => Promise<string>,
  ): Promise<Shop> {
    const opened = await openDevice();
    devices.push(opened);
    const shop = new Shop(opened.page, base, backend);
    await shop.open();
    return shop;
  }

  async open(): Promise<void> {
    const backend = this.backend;
    if (backend) {
      await this.page.route(`${this.base}/demo/token`, async (route) => {
        const jwt = await backend(JSON.parse(route.request().postData() ?? '{}') as ShopCustomer);
        await route.fulfill({ contentType: 'application/json', body: JSON.stringify({ jwt }) });
      });
    }
    await this.page.goto(`${this.base}/demo`);
    await this.page.locator('button.launcher').waitFor();
  }

  async openMessenger(): Promise<void> {
    if (!(await this.page.locator('section.panel').isVisible()))
      await this.page.locator('button.launcher').click();
    await this.page.locator('section.panel').waitFor();
  }

  async send(text: string): Promise<void> {
    await this.openMessenger();
    await this.page.locator('section.panel textarea').fill(text);
    await this.page.keyboard.press('Enter');
    await until(async () => (await this.sentTexts()).includes(text), `"${text}" stored`);
  }

  /** Texts of stored messages (pending ones excluded), oldest first. */
  async sentTexts(): Promise<string[]> {
    return this.page
      .locator('[data-testid=message]')
      .evaluateAll((nodes) =>
        nodes
          .filter((n) => !(n.querySelector('.meta')?.textContent ?? '').match(/Sending|Not sent/))
          .map((n) => n.querySelector('.bubble')?.textContent ?? ''),
      );
  }

  async logIn(customer: ShopCustomer): Promise<void> {
    await this.page.fill('#external-id', customer.externalId);
    await this.page.fill('#name', customer.name ?? '');
    await this.page.fill('#email', customer.email ?? '');
    await this.page.selectOption('#expires-in', String(customer.expiresIn ?? 3600));
    await this.page.click('#login');
  }

  async logOut(): Promise<void> {
    await this.page.click('#logout');
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, name);
    await this.page.screenshot({ path });
    return path;
  }
}
