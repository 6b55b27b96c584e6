/**
 * Browser test of the Queries view and the trace view's finding marks: Chromium against the e2e
 * app plus a route with a real N+1 over better-sqlite3 (one stock query per product), so the
 * detectors have something to find by call site. Screenshots land in e2e/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eApp } from './src/app.js';
import { login, openPage } from './src/browser.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let server: Server;
let base: string;
let closeApp: () => Promise<void>;
let closeBrowser: () => Promise<void>;
let page: Page;
let db: Database.Database;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const made = createE2eApp();
  closeApp = made.close;
  db = new Database(':memory:');
  db.exec('CREATE TABLE stock (product_id INTEGER, quantity INTEGER)');
  const stockOf = db.prepare('SELECT SUM(quantity) AS total FROM stock WHERE product_id = ?');
  made.app.get('/api/catalogue', (req, res) => {
    const n = Number(req.query.n ?? 20);
    const out = [];
    for (let id = 1; id <= n; id++) out.push({ id, stock: stockOf.get(id) }); // the N+1
    res.json(out);
  });
  server = made.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (let i = 0; i < 6; i++) await (await fetch(`${base}/api/catalogue?n=${18 + i}`)).text();
  ({ page, close: closeBrowser } = await openPage({ width: 1400, height: 900 }, pageErrors));
  await login(page, base);
});

afterAll(async () => {
  await closeBrowser?.();
  await closeApp?.();
  db?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

describe('queries view in Chromium', () => {
  it('lists the N+1 finding by call site and the queries by fingerprint, sortable', async () => {
    await page.goto(`${base}/_debug/#/queries`);
    const card = page.locator('[data-testid="finding"]', { hasText: 'GET /api/catalogue' });
    await card.first().waitFor({ timeout: 15_000 });
    expect(await card.first().textContent()).toMatch(/N\+1 queries/);
    expect(await card.first().locator('[data-testid="finding-callsite"]').textContent()).toMatch(/queries\.e2e\.ts:\d+$/);
    const row = page.locator('[data-testid="query-row"]', { hasText: 'select sum(quantity) as total from stock where product_id = ?' });
    await row.waitFor();
    await row.click();
    await page.locator('[data-testid="query-callsite"]').first().waitFor();
    await page.click('[data-testid="sort-count"]');
    // the opened row's fingerprint is in the hash (a shareable link to it), and stays with the sort
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#\/queries\/[0-9a-f]+\?sort=count$/);
    await expect.poll(() => page.locator('[data-testid="query-row"] td.sql-cell').first().textContent()).toMatch(/^select sum\(quantity\)/);
    await page.screenshot({ path: join(SHOTS, 'queries-view.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('opens the row of #/queries/<fingerprint> (the Insights link), expanded and scrolled into view', async () => {
    await page.goto(`${base}/_debug/#/queries`);
    // The page's session cookie asks the API, as the view does.
    const { queries } = await page.evaluate(async () => (await fetch('api/queries?limit=200', { credentials: 'same-origin' })).json() as Promise<{ queries: Array<{ fingerprint: string; statement: string }> }>);
    const stock = queries.find((q) => q.statement.startsWith('select sum(quantity)'))!;
    expect(stock).toBeDefined();
    // A short window so the table is below the fold.
    await page.setViewportSize({ width: 1400, height: 420 });
    await page.goto(`${base}/_debug/#/queries/${stock.fingerprint}`);
    const detail = page.locator('[data-testid="query-detail"]');
    await detail.waitFor();
    expect(await detail.count()).toBe(1);
    const row = page.locator('[data-testid="query-row"][aria-expanded="true"]');
    expect(await row.locator('td.sql-cell').textContent()).toMatch(/^select sum\(quantity\)/);
    await expect.poll(() => row.evaluate((el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'queries-linked.png') });
    // Closing the row takes the fingerprint out of the hash; an unknown one says so.
    await row.click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/queries');
    await page.goto(`${base}/_debug/#/queries/ffffffffffff`);
    await page.locator('[data-testid="query-missing"]').waitFor();
    expect(await page.locator('[data-testid="query-detail"]').count()).toBe(0);
    await page.setViewportSize({ width: 1400, height: 900 });
    expect(pageErrors).toEqual([]);
  });

  it("marks the N+1 group on the trace's waterfall with its cost", async () => {
    await page.goto(`${base}/_debug/#/queries`);
    const card = page.locator('[data-testid="finding"]', { hasText: 'GET /api/catalogue' }).first();
    await card.waitFor({ timeout: 15_000 });
    await card.locator('[data-testid="finding-trace"]').first().click();
    await page.locator('[data-testid="trace-findings"]').waitFor();
    expect(await page.locator('[data-testid="trace-finding"]').first().textContent()).toMatch(/N\+1 queries.*of the request/);
    const badge = page.locator('[data-testid="wf-finding"]').first();
    await badge.waitFor();
    expect(await badge.textContent()).toMatch(/^N\+1 ×\d+$/);
    expect(await badge.getAttribute('title')).toMatch(/in all, \d+% of the request/);
    await page.screenshot({ path: join(SHOTS, 'trace-findings.png') });
    expect(pageErrors).toEqual([]);
  });
});
