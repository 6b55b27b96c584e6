/**
 * The evidence of an incident's suspects in Chromium, on the real three-process demo (the gateway's
 * panel is the hub) with short insights windows (`FAST_INSIGHTS`) and steady load:
 * - inventory's stock query made 12 ms slower (it runs 20 times per product list): the Insights
 *   view shows the top suspect's query (fingerprint linked to the Queries view, p95 before -> after,
 *   calls per request), the N+1 finding of GET /products (repeats per request) and the shares of
 *   anomalous vs normal traces, with example traces of both windows;
 * - then half of inventory's product look-ups failing in the database: an error-origin suspect
 *   with its error group (type, message, origin counts), whose link opens the Errors view on it.
 * Screenshots: e2e/screenshots/insights-evidence-{query,errors}.png.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { IncidentDetail, InsightsResponse, Suspect } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_INSIGHTS, names, panelClient, slowStockQuery, type PanelClient, type Scenario } from '../apps/demo/src/insights-scenarios.js';
import { startShop, type RunningService } from '../apps/demo/src/launcher.js';
import { startLoad, type LoadGenerator } from '../apps/demo/src/load.js';
import { E2E_TOKEN, login, openPage } from './src/browser.js';
import { until } from './src/until.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let shop: Record<'gateway' | 'orders' | 'inventory', RunningService> | undefined;
let client: PanelClient;
let load: LoadGenerator | undefined;
let page: Page;
let closeBrowser: (() => Promise<void>) | undefined;
const pageErrors: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: E2E_TOKEN, env: { DEMO_PANEL: JSON.stringify(FAST_INSIGHTS) } });
  client = panelClient({ gateway: shop.gateway.url, orders: shop.orders.url, inventory: shop.inventory.url }, E2E_TOKEN);
  load = startLoad({ target: shop.gateway.url, rate: 4 });
  ({ page, close: closeBrowser } = await openPage({ width: 1400, height: 1000 }, pageErrors));
  await login(page, shop.gateway.url);
}, 60_000);

afterAll(async () => {
  await load?.stop(500);
  await closeBrowser?.();
  if (shop) {
    await client.clearRules('inventory').catch(() => {});
    await Promise.all(Object.values(shop).map((s) => s.stop()));
  }
});

/** The first incident opened after `since` whose top suspect satisfies `ok`, polled from the hub. */
async function incidentWith(since: number, ok: (top: Suspect) => boolean, ms: number): Promise<IncidentDetail> {
  return until(
    'an incident with the expected top suspect',
    async () => {
      const list = await client.get<InsightsResponse>('gateway', '/api/insights?limit=20');
      // an anomaly opens backdated by its open ticks (2 s): a slack of 5 s still excludes an older incident
      const fresh = list.incidents.filter((i) => i.startedAt >= since - 5_000);
      return Promise.all(fresh.map((i) => client.get<IncidentDetail>('gateway', `/api/insights/${i.id}`)));
    },
    (list) => list.some((i) => i.ranked[0] !== undefined && ok(i.ranked[0])),
    ms,
  ).catch(async (err: unknown) => {
    // say what the hub had instead: each incident's start, scope and top suspect
    const all = await client.get<InsightsResponse>('gateway', '/api/insights?limit=20');
    const seen = all.incidents.map((i) => `${new Date(i.startedAt).toISOString()} ${i.scope.service} ${i.scope.route ?? ''} top: ${i.suspects[0] ? `${i.suspects[0].service} ${i.suspects[0].operation ?? ''} query=${i.suspects[0].evidence.query !== undefined} findings=${i.suspects[0].evidence.findings?.length ?? 0}` : 'none'}`);
    throw new Error(`${(err as Error).message}; since ${new Date(since).toISOString()}, incidents: ${seen.join(' | ') || 'none'}`);
  }).then((list) => list.find((i) => ok(i.ranked[0]!))!);
}

/** Waits until no anomaly is open and the ranking's baseline window (20 s + the 10 s window) is clean again. */
async function quiet(): Promise<void> {
  await until('every anomaly ended', () => client.get<InsightsResponse>('gateway', '/api/insights'), (r) => r.anomalies.length === 0, 60_000);
  await sleep(FAST_INSIGHTS.insights.baselineTracesMs + FAST_INSIGHTS.insights.windowSeconds * 1000);
}

describe('the evidence of an incident in the Insights view', () => {
  it('a slow stock query: its fingerprint, p95 before -> after and the N+1 finding; then an error group linked to the Errors view', async () => {
    // Warm-up: the gateway's product list has a baseline, then 10 s more so the cold start left it.
    await until('the product list has a baseline', () => client.get<InsightsResponse>('gateway', '/api/insights'),
      (r) => r.baselines.some((b) => b.scope.service === 'gateway' && b.scope.route === 'GET /api/products' && b.ready), 60_000);
    await sleep(10_000);
    // the cold start may have opened an anomaly: a fault injected while it is open would join it
    await quiet();

    // 1. slow SQL: the query and its N+1 as evidence. The fault stays on until the view has been
    // read: the incident is re-ranked every 2 s while open, over a window that grows with it, so
    // clearing the fault first lets the recovery's traces reorder the suspects under the test.
    const slow = slowStockQuery(60_000);
    let since = Date.now();
    await client.addRule('inventory', slow.rule);
    const withQuery = await incidentWith(since, (top) => names(top, slow.expect) && top.evidence.query !== undefined && (top.evidence.findings?.length ?? 0) > 0, 45_000);
    const top = withQuery.ranked[0]!;
    await page.goto(`${shop!.gateway.url}/_debug/#/insights/${withQuery.id}`);
    const first = page.locator('[data-testid="incident-detail"] [data-testid="suspect"]').first();
    await first.locator('[data-testid="evidence-query"]').waitFor({ timeout: 15_000 }).catch(async (err: unknown) => {
      await page.screenshot({ path: join(SHOTS, 'insights-evidence-query-failed.png'), fullPage: true });
      throw err;
    });
    const query = (await first.locator('[data-testid="evidence-query"]').textContent()) ?? '';
    expect(query).toContain(slow.expect.operation!);
    expect(query).toMatch(/p95 [\d.]+ ms → [\d.]+ ms/);
    expect(query).toContain('calls per request');
    const queryLink = first.locator('[data-testid="evidence-query-link"]');
    expect(await queryLink.getAttribute('href')).toBe(`#/queries/${top.evidence.query!.fingerprint}`);
    const finding = (await first.locator('[data-testid="evidence-finding"]').first().textContent()) ?? '';
    expect(finding).toMatch(/n\+1 in GET \/products/);
    expect(finding).toMatch(/→ 20 repeats per request/);
    expect(await first.locator('[data-testid="suspect-shares"]').textContent()).toMatch(/^in \d+(\.\d)?% of anomalous traces, \d+(\.\d)?% of normal ones$/);
    expect(await first.locator('[data-testid="suspect-change"]').textContent()).toMatch(/ms → .* ms/);
    // example traces of both windows, one click away
    expect(await first.locator('.trace-links a[href^="#/trace/"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'insights-evidence-query.png'), fullPage: true });
    // the fingerprint link opens the Queries view
    await queryLink.click();
    await page.waitForSelector('[data-testid="view-queries"] [data-testid="query-row"]', { timeout: 15_000 });
    await client.clearRules('inventory');

    // 2. database errors in inventory's product look-up: the error group of the origin
    await quiet();
    const failing: Scenario['rule'] = { name: 'product look-up fails', target: 'db', fault: { kind: 'error', message: 'disk I/O error' }, scope: { statement: 'FROM products WHERE id' }, rate: 0.6, durationMs: 60_000 };
    since = Date.now();
    await client.addRule('inventory', failing);
    const withGroup = await incidentWith(since, (t) => t.service === 'inventory' && (t.evidence.errorGroups?.length ?? 0) > 0, 45_000);
    const group = withGroup.ranked[0]!.evidence.errorGroups![0]!;
    await page.goto(`${shop!.gateway.url}/_debug/#/insights/${withGroup.id}`);
    const errTop = page.locator('[data-testid="incident-detail"] [data-testid="suspect"]').first();
    await errTop.locator('[data-testid="evidence-error-group"]').first().waitFor({ timeout: 15_000 });
    const errText = (await errTop.locator('[data-testid="evidence-error-group"]').first().textContent()) ?? '';
    expect(errText).toContain(group.message);
    expect(errText).toMatch(/origin of \d+( of \d+)? failing traces in the window/);
    await page.screenshot({ path: join(SHOTS, 'insights-evidence-errors.png'), fullPage: true });
    const groupLink = errTop.locator('[data-testid="evidence-error-group-link"]').first();
    expect(await groupLink.getAttribute('href')).toBe(`#/errors/${group.fingerprint}`);
    await groupLink.click();
    await page.waitForFunction((fp) => location.hash.startsWith(`#/errors/${fp}`), group.fingerprint);
    await page.waitForSelector('[data-testid="view-errors"]', { timeout: 15_000 });
    await client.clearRules('inventory');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  }, 300_000);
});
