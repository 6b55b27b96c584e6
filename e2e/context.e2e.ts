/**
 * The shared context in Chromium: one nav, one filter bar, one time window carried from view to
 * view. The e2e app (service `checkout`) with an N+1 over better-sqlite3, a route that logs and
 * throws, steady traffic and a caught chaos experiment (an incident); then the walk
 * error group -> trace -> its logs -> queries -> incident -> its traces / metrics, asserting at
 * each hop that the service and the window survived, in the hash and in the bar.
 * Screenshots: e2e/screenshots/context-*.png.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorsResponse, InsightsResponse } from '@debugpanel/model';
import { createE2eApp } from './src/app.js';
import { startSession } from './src/session.js';
import { E2E_AUTH } from './src/token.js';
import { until } from './src/until.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const SERVICE = 'checkout';
const pageErrors: string[] = [];
let base: string;
let page: Page;
let closeSession: () => Promise<void>;
let db: Database.Database;
let running = true;
let load: Promise<void>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hash = () => page.evaluate(() => location.hash);
const params = async () => new URLSearchParams((await hash()).split('?')[1] ?? '');
const api = <T>(path: string) => fetch(`${base}/_debug/${path}`, E2E_AUTH).then((r) => r.json() as Promise<T>);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const made = createE2eApp({ service: SERVICE, panel: { chaos: true, insights: { warmupMs: 5000, warmupRequests: 20, windowSeconds: 5 } } });
  db = new Database(':memory:');
  db.exec('CREATE TABLE stock (product_id INTEGER, quantity INTEGER)');
  const stockOf = db.prepare('SELECT SUM(quantity) AS total FROM stock WHERE product_id = ?');
  made.app.get('/api/catalogue', (_req, res) => {
    const out = [];
    for (let id = 1; id <= 12; id++) out.push({ id, stock: stockOf.get(id) }); // the N+1
    res.json(out);
  });
  made.app.get('/api/refund/:id', (req) => {
    console.error(`refund ${req.params.id} failed: ledger locked`);
    throw new Error('ledger locked');
  });
  ({ base, page, close: closeSession } = await startSession(made, pageErrors));
  let n = 0;
  load = (async () => {
    while (running) {
      const t = Date.now();
      const path = n % 20 === 0 ? `/api/refund/${n}` : n % 10 === 5 ? '/api/catalogue' : `/api/orders/${n % 5}`;
      n++;
      const res = await fetch(`${base}${path}`).catch(() => undefined);
      await res?.body?.cancel();
      await sleep(Math.max(0, 120 - (Date.now() - t)));
    }
  })();
});

afterAll(async () => {
  running = false;
  await load;
  await closeSession?.();
  db?.close();
});

/** The bar shows the service and a window from `since` to now. */
async function expectBar(since: number) {
  expect(await page.locator('[data-testid="ctx-service"]').inputValue()).toBe(SERVICE);
  const chip = page.locator('[data-testid="time-window"]');
  await chip.waitFor();
  expect(await chip.textContent()).toContain('– now');
  const p = await params();
  expect(p.get('service') ?? '').toBe(SERVICE);
  expect(Number(p.get('since'))).toBe(since);
}

describe('the shared context in Chromium', () => {
  it('error group -> trace -> logs -> queries -> incident -> traces / metrics keeps the service and the window', async () => {
    // An incident: +150 ms on /api/orders/:id past the short warm-up (as chaos-caught.e2e.ts).
    await page.goto(`${base}/_debug/#/chaos`);
    await page.waitForSelector('[data-testid="chaos-form"]');
    await sleep(22_000);
    await page.selectOption('[data-testid="chaos-kind"]', 'latency');
    await page.fill('[data-testid="chaos-ms"]', '150');
    await page.fill('[data-testid="chaos-route"]', '/api/orders/:id');
    await page.fill('[data-testid="chaos-durationSec"]', '20');
    await page.fill('[data-testid="chaos-name"]', 'slow orders');
    await page.click('[data-testid="chaos-submit"]');
    await page.waitForSelector('[data-testid="chaos-experiment"]');
    await page.locator('[data-testid="chaos-verdict"]').waitFor({ timeout: 40_000 });
    await until('an incident', () => api<InsightsResponse>('api/insights'), (r) => r.incidents.length > 0, 30_000);
    // Chaos does not carry the context: the bar says so
    expect(await page.locator('[data-testid="ctx-ignored"]').textContent()).toMatch(/Chaos does not use this filter/);
    await page.screenshot({ path: join(SHOTS, 'context-0-chaos.png') });
    await until('the refund error group', () => api<ErrorsResponse>('api/errors'), (r) => r.groups.some((g) => g.message.includes('ledger locked')));

    // 1. Errors: pick the service and "last 15 min" in the shared bar (the nav is grouped; Errors is current).
    await page.click('[data-testid="nav-errors"]');
    await page.locator('[data-testid="error-groups"]').waitFor();
    expect(await page.locator('[data-testid="nav-errors"]').getAttribute('aria-current')).toBe('page');
    await page.locator('[data-testid="ctx-service"]').selectOption(SERVICE);
    await expect.poll(async () => (await params()).get('service')).toBe(SERVICE);
    const picked = Date.now();
    await page.locator('[data-testid="time-range"]').selectOption('15m');
    await expect.poll(async () => (await params()).get('since')).toMatch(/^\d+$/);
    const since = Number((await params()).get('since'));
    expect(Math.abs(since - (picked - 15 * 60_000))).toBeLessThan(30_000);
    await expectBar(since);
    // the nav's links carry it: Logs and Queries with the service and the window, Map (which does not use it) bare
    expect(await page.locator('[data-testid="nav-logs"]').getAttribute('href')).toBe(`#/logs?service=${SERVICE}&since=${since}`);
    expect(await page.locator('[data-testid="nav-map"]').getAttribute('href')).toBe('#/map');
    await page.locator('[data-testid="error-group"]', { hasText: 'ledger locked' }).locator('a').first().click();
    await page.locator('[data-testid="error-detail"]').waitFor();
    expect((await hash()).startsWith('#/errors/')).toBe(true);
    await expectBar(since);
    expect(await page.locator('[data-testid="error-traces"]').getAttribute('href')).toContain(`service=${SERVICE}`);
    await page.screenshot({ path: join(SHOTS, 'context-1-errors.png') });

    // 2. -> its trace: the context rides along; the bar says the trace view applies none of it.
    await page.locator('[data-testid="occurrence-trace"]').first().click();
    await page.waitForFunction(() => location.hash.startsWith('#/trace/'));
    await page.locator('[data-testid="trace-logs"]').waitFor();
    await expectBar(since);
    expect(await page.locator('[data-testid="ctx-ignored"]').textContent()).toMatch(/Not applied in Trace: service, time/);
    expect(await page.locator('[data-testid="nav-traces"]').getAttribute('aria-current')).toBe('page');
    const traceId = (await hash()).split('/')[2]!.split('?')[0]!;
    await page.screenshot({ path: join(SHOTS, 'context-2-trace.png') });

    // 3. -> its logs: every service's lines of the trace (a trace id wins), the context kept.
    await page.locator('[data-testid="trace-logs"]').click();
    await page.locator('[data-testid="log-row"]').first().waitFor();
    expect((await params()).get('traceId')).toBe(traceId);
    await expectBar(since);
    expect(await page.locator('[data-testid="log-row"]').first().textContent()).toContain('ledger locked');
    expect(await page.locator('[data-testid="ctx-ignored"]').textContent()).toMatch(/a trace id is set/);
    await page.screenshot({ path: join(SHOTS, 'context-3-logs.png') });

    // 4. -> Queries (nav): the service goes to the API; time is named as not applied.
    await page.click('[data-testid="nav-queries"]');
    await page.locator('[data-testid="query-row"]').first().waitFor();
    await expectBar(since);
    expect(await page.locator('[data-testid="ctx-ignored"]').textContent()).toMatch(/Not applied in Queries: time/);
    await page.locator('[data-testid="query-row"]', { hasText: 'stock' }).first().click();
    const routeTraces = page.locator('[data-testid="query-route-traces"]').first();
    await routeTraces.waitFor();
    const qt = new URLSearchParams((await routeTraces.getAttribute('href'))!.split('?')[1]);
    expect([qt.get('service'), qt.get('route'), qt.get('since')]).toEqual([SERVICE, '/api/catalogue', String(since)]);
    await page.screenshot({ path: join(SHOTS, 'context-4-queries.png') });

    // 5. -> Insights (nav): the incident of this service in the window; its links.
    await page.click('[data-testid="nav-insights"]');
    const detail = page.locator('[data-testid="incident-detail"]');
    await detail.waitFor({ timeout: 15_000 });
    await expectBar(since);
    expect(await detail.textContent()).toContain('GET /api/orders/:id');
    await page.screenshot({ path: join(SHOTS, 'context-5-incident.png') });

    // 6. -> the incident's traces: its scope and window (the hop narrows the context), service kept.
    const shown = (await api<InsightsResponse>('api/insights')).incidents[0]!;
    const scopeRoute = shown.scope.kind === 'route' ? shown.scope.route!.replace(/^[A-Z]+ /, '') : null;
    await page.click('[data-testid="incident-traces"]');
    await page.locator('[data-testid="trace-row"]').first().waitFor();
    const tp = await params();
    expect(tp.get('service')).toBe(SERVICE);
    expect(tp.get('route')).toBe(scopeRoute);
    expect(Number(tp.get('since'))).toBe(Math.floor(shown.startedAt - 60_000));
    expect(Number(tp.get('since'))).toBeGreaterThan(since);
    expect(await page.locator('[data-testid="ctx-service"]').inputValue()).toBe(SERVICE);
    // pick the route the incident's top suspect names, in the bar: the list narrows to it
    await page.locator('[data-testid="ctx-route"]').fill('/api/orders/:id');
    await page.locator('[data-testid="ctx-route"]').press('Enter');
    await expect.poll(async () => (await params()).get('route')).toBe('/api/orders/:id');
    await expect.poll(async () => new Set(await page.locator('[data-testid="trace-row"] td:nth-child(3)').allTextContents())).toEqual(new Set(['/api/orders/:id']));
    await page.screenshot({ path: join(SHOTS, 'context-6-incident-traces.png') });

    // 7. -> Metrics (nav) with that context: the same service and route, its window as from/to or a chart window.
    await page.click('[data-testid="nav-metrics"]');
    await page.locator('[data-testid="chart-latency"]').first().waitFor({ timeout: 15_000 });
    const mp = await params();
    expect(mp.get('service')).toBe(SERVICE);
    expect(mp.get('route')).toBe('/api/orders/:id');
    expect(await page.locator('[data-testid="metrics-scope"]').textContent()).toContain('/api/orders/:id');
    expect(await page.locator('[data-testid="ctx-service"]').inputValue()).toBe(SERVICE);
    await page.screenshot({ path: join(SHOTS, 'context-7-metrics.png') });

    // A view that does not use it (Stats) keeps it for the next one.
    await page.click('[data-testid="nav-stats"]');
    await page.waitForFunction(() => location.hash === '#/stats');
    await expect.poll(() => page.locator('[data-testid="ctx-ignored"]').textContent()).toMatch(/Stats does not use this filter/);
    expect(await page.locator('[data-testid="nav-logs"]').getAttribute('href')).toContain(`service=${SERVICE}`);
    await page.click('[data-testid="nav-logs"]');
    await page.locator('[data-testid="view-logs"]').waitFor();
    expect((await params()).get('service')).toBe(SERVICE);

    // Keyboard: Tab walks the nav after the brand; before it a skip link jumps to the view.
    await page.focus('a.brand');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('nav-traces');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('nav-logs');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('skip-link');
    await page.screenshot({ path: join(SHOTS, 'context-8-keyboard.png') });
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect((await params()).get('service')).toBe(SERVICE);

    // A chart window picked in Metrics is the context's window too (its last 15 min), for the next view.
    await page.goto(`${base}/_debug/#/metrics?service=${SERVICE}&window=15m`);
    await page.locator('[data-testid="chart-latency"]').first().waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="time-window"]').waitFor();
    const logsHref = new URLSearchParams((await page.locator('[data-testid="nav-logs"]').getAttribute('href'))!.split('?')[1]);
    expect(logsHref.get('service')).toBe(SERVICE);
    expect(Math.abs(Number(logsHref.get('since')) - (Date.now() - 15 * 60_000))).toBeLessThan(30_000);
    // the dark theme keeps the bar and the nav readable (looked at)
    await page.click('[data-testid="theme-toggle"]');
    await page.screenshot({ path: join(SHOTS, 'context-9-metrics-dark.png') });
    await page.click('[data-testid="theme-toggle"]');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  }, 120_000);
});
