/** Debian's Chromium through playwright-core, isolated: fresh profile, no network side channels. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { E2E_TOKEN } from './token.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A persistent context on a fresh `--user-data-dir` (playwright's way of passing that flag). */
export async function launchChromium(options: { viewport?: { width: number; height: number } } = {}): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'debugpanel-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: options.viewport ?? { width: 1400, height: 860 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * One page in a fresh Chromium, with every page error, console error and CSP violation pushed to
 * `errors`, so a test can assert the UI ran clean.
 */
export async function openPage(viewport: { width: number; height: number }, errors: string[]): Promise<{ page: Page; close: () => Promise<void> }> {
  const b = await launchChromium({ viewport });
  const page = b.context.pages()[0] ?? (await b.context.newPage());
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  return { page, close: b.close };
}

export { E2E_AUTH, E2E_TOKEN } from './token.js';

/**
 * Logs the page in to the panel at `base` as a person would: the one-click URL, whose answer sets
 * the session cookie and sends the browser on to the panel without the token in the address.
 */
export async function login(page: Page, base: string): Promise<void> {
  const res = await page.goto(`${base}/_debug/login?token=${E2E_TOKEN}`);
  if (!res || res.status() !== 200 || !page.url().endsWith('/_debug/')) throw new Error(`login to ${base} failed: ${res?.status()} at ${page.url()}`);
}
