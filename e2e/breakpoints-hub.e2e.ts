/**
 * Breakpoints across services in the demo (issue 19, item 6), in Chromium on the gateway's panel
 * (the hub): the source list says which service runs each file and leaves out tests and dist/;
 * a breakpoint set from the gutter of orders' handler travels to orders, turns active there, and
 * its snapshot, with the pause it cost, is read in the gateway's panel.
 * Screenshots: e2e/screenshots/breakpoints-hub.png, breakpoints-hub-snapshot.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { BreakpointsResponse, SourcesResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningService } from '../apps/demo/src/launcher.js';
import { E2E_AUTH, E2E_TOKEN, login, openPage } from './src/browser.js';
import { until } from './src/until.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = join(HERE, 'screenshots');
const ORDERS_TS = 'src/services/orders.ts';
const line = readFileSync(join(HERE, '../apps/demo', ORDERS_TS), 'utf8').split('\n').findIndex((l) => l.includes('const price = quote(customer')) + 1;

let shop: Record<'gateway' | 'orders' | 'inventory', RunningService> | undefined;
let page: Page;
let closeBrowser: (() => Promise<void>) | undefined;
let dataDir: string | undefined;
const pageErrors: string[] = [];
const api = async <T>(root: string, path: string): Promise<T> => (await fetch(`${root}/_debug/${path}`, E2E_AUTH)).json() as Promise<T>;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // A fresh data folder: no breakpoints restored from an earlier run.
  dataDir = mkdtempSync(join(tmpdir(), 'dp-bphub-e2e-'));
  shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: E2E_TOKEN, dataDir });
  ({ page, close: closeBrowser } = await openPage({ width: 1500, height: 900 }, pageErrors));
  await login(page, shop.gateway.url);
});
afterAll(async () => {
  await closeBrowser?.();
  await Promise.all(Object.values(shop ?? {}).map((s) => s.stop()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('breakpoints across the demo services, from the hub', () => {
  it("sets a breakpoint in orders' handler from the gateway's panel and reads its snapshot there", async () => {
    expect(line).toBeGreaterThan(1);
    const gw = shop!.gateway.url;
    // orders and inventory send their lists at their first syncs
    await until('every service to send its source list', () => api<SourcesResponse>(gw, 'api/sources'), (s) => s.services.length === 3 && s.waiting.length === 0, 20_000);

    await page.goto(`${gw}/_debug/#/breakpoints?file=${encodeURIComponent(ORDERS_TS)}`);
    const row = page.locator(`[data-testid="bp-file"][title="${ORDERS_TS}"]`);
    await row.waitFor();
    expect(await row.locator('[data-testid="bp-file-services"]').textContent()).toBe('orders');
    const shared = await page.locator('[data-testid="bp-file"][title="src/service-kit.ts"] [data-testid="bp-file-services"]').textContent();
    expect(shared?.split(' · ').sort()).toEqual(['gateway', 'inventory', 'orders']);
    const files = await page.locator('[data-testid="bp-file"]').evaluateAll((as) => as.map((a) => a.getAttribute('title')));
    expect(files.some((f) => f!.startsWith('dist/') || f!.includes('.test.'))).toBe(false);
    expect(await page.locator('[data-testid="bp-service"]').inputValue()).toBe('orders');

    await page.click(`[data-testid="bp-gutter"][data-line="${line}"]`);
    const item = page.locator('[data-testid="bp-item"]');
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 15_000 }).toBe('active');
    expect(await item.locator('[data-testid="bp-item-service"]').textContent()).toBe('orders');
    // orders holds it as its own (the panel's data folder may hold finished ones of earlier runs)
    expect((await api<BreakpointsResponse>(shop!.orders.url, 'api/breakpoints')).breakpoints.filter((b) => b.state === 'active')).toMatchObject([{ line, service: 'orders' }]);
    await page.screenshot({ path: join(SHOTS, 'breakpoints-hub.png') });

    const order = await fetch(`${gw}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customer: 'ada', items: [{ productId: 1, quantity: 1 }] }) });
    expect(order.status).toBe(201);
    await expect.poll(() => page.locator('[data-testid="bp-snapshot"]').count(), { timeout: 15_000 }).toBe(1);
    await page.locator('[data-testid="bp-snapshot"]').first().click();
    const detail = page.locator('[data-testid="snapshot-detail"]');
    await detail.locator('[data-testid="snapshot-frame"]').first().waitFor();
    expect(await detail.locator('[data-testid="snapshot-service"]').textContent()).toBe('orders');
    expect(await detail.locator('[data-testid="snapshot-cost"]').textContent()).toMatch(/^paused orders for \d+(\.\d)? ms to capture [\d.]+ (KB|B)/);
    expect(await detail.locator('[data-testid="snapshot-var"][data-name="customer"] [data-testid="snapshot-value"]').first().textContent()).toBe('"ada"');
    await page.screenshot({ path: join(SHOTS, 'breakpoints-hub-snapshot.png') });
    expect(pageErrors).toEqual([]);
  });
});
