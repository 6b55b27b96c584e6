/**
 * The Errors view in Chromium on the three-service demo: failing checkouts (an order with the
 * unpriced product 13) make a TypeError group in orders and a 502 group at the gateway; the
 * gateway's panel (the hub) lists both with counts and sparklines, and the gateway group's detail
 * shows its stack, "caused by" orders' group, and occurrences linked into the trace view.
 * Screenshots: e2e/screenshots/{errors,error-detail}.png.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { ErrorsResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningService } from '../apps/demo/src/launcher.js';
import { E2E_AUTH, E2E_TOKEN, login, openPage } from './src/browser.js';
import { until } from './src/until.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let shop: Record<'gateway' | 'orders' | 'inventory', RunningService> | undefined;
let closeBrowser: () => Promise<void>;
let page: Page;
let gw: string;
const pageErrors: string[] = [];

const checkout = (customer: string) =>
  fetch(`${gw}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-demo-user': customer },
    body: JSON.stringify({ customer, items: [{ productId: 2, quantity: 1 }, { productId: 13, quantity: 1 }] }),
  }).then((r) => r.status);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: E2E_TOKEN });
  gw = shop.gateway.url;
  for (const c of ['ada', 'bob', 'cy', 'dee']) expect(await checkout(c)).toBe(502);
  // some healthy traffic and a different error (an unknown route's 404 is not one; the product bug is)
  for (let i = 1; i <= 5; i++) await fetch(`${gw}/api/products/${i}`);
  expect((await fetch(`${gw}/api/products/13`)).status).toBe(502);
  await until('both groups in the hub', () => fetch(`${gw}/_debug/api/errors`, E2E_AUTH).then((r) => r.json() as Promise<ErrorsResponse>), (r) =>
    r.groups.some((g) => g.type === 'TypeError' && g.count >= 5) && r.groups.some((g) => g.type === 'HttpError' && g.count >= 4));
  ({ page, close: closeBrowser } = await openPage({ width: 1400, height: 900 }, pageErrors));
  await login(page, gw);
});

afterAll(async () => {
  await closeBrowser?.();
  if (shop) await Promise.all(Object.values(shop).map((s) => s.stop()));
});

describe('errors view in Chromium on the demo', () => {
  it('lists the groups with counts and sparklines, most recent first', async () => {
    await page.goto(`${gw}/_debug/#/errors`);
    await page.waitForSelector('[data-testid="error-group"]');
    const rows = page.locator('[data-testid="error-group"]');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    const texts = await rows.allTextContents();
    expect(texts.some((t) => /TypeError.*Cannot read properties of null \(reading <str>\).*orders/.test(t))).toBe(true);
    expect(texts.some((t) => /HttpError.*orders failed: .*gateway/.test(t))).toBe(true);
    const points = await page.locator('[data-testid="sparkline"] polyline').first().getAttribute('points');
    expect(points?.split(' ').length).toBe(60);
    await page.screenshot({ path: join(SHOTS, 'errors.png') });
  });

  it('opens a group: stack, caused by the origin group, occurrences linked to their traces', async () => {
    await page.locator('[data-testid="error-group"]', { hasText: 'HttpError' }).locator('a.group-title').click();
    await page.waitForSelector('[data-testid="error-detail"]');
    await page.waitForSelector('[data-testid="caused-by"]');
    expect(await page.locator('[data-testid="caused-by"]').textContent()).toMatch(/TypeError.*Cannot read properties of null.*orders.*in 5 sample traces/);
    expect(await page.locator('[data-testid="stack"]').first().textContent()).toMatch(/HttpError/);
    const traces = page.locator('[data-testid="occurrence-trace"]');
    expect(await traces.count()).toBe(5); // 4 checkouts and the product page: one gateway group
    await page.screenshot({ path: join(SHOTS, 'error-detail.png') });

    // caused by -> the origin group; it says what it caused upstream and shows its in-app stack
    await page.locator('[data-testid="caused-by"] a').first().click();
    await page.waitForSelector('[data-testid="causes"]');
    expect(await page.locator('[data-testid="error-detail"] h2').textContent()).toMatch(/TypeError/);
    expect(await page.locator('[data-testid="stack"]').first().textContent()).toMatch(/pricing/);

    // an occurrence opens its trace in the trace view, at the span that threw
    await page.locator('[data-testid="occurrence-trace"]').first().click();
    await page.waitForSelector('[data-testid="view-trace"]');
    expect(await page.evaluate(() => location.hash)).toMatch(/^#\/trace\/[0-9a-f]{32}\?span=[0-9a-f]{16}$/);
    expect(pageErrors).toEqual([]);
  });
});
