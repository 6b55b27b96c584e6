/**
 * Browser tests of the panel UI: Debian's Chromium (playwright-core) against a real Express app
 * with debugPanel() and real traffic. Screenshots of each view land in e2e/screenshots/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { TracesResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG_TRACE_SPANS, createE2eApp } from './src/app.js';
import { E2E_AUTH, login, openPage } from './src/browser.js';
import { generateTraffic } from './src/traffic.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let server: Server;
let base: string;
let closeApp: () => Promise<void>;
let closeBrowser: () => Promise<void>;
let page: Page;
const pageErrors: string[] = [];
const figures: Record<string, unknown> = {};

const api = async <T>(path: string): Promise<T> => (await fetch(`${base}/_debug/${path}`, E2E_AUTH)).json() as Promise<T>;
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

async function waitForTraces(pred: (r: TracesResponse) => boolean, query = 'limit=200'): Promise<TracesResponse> {
  const end = Date.now() + 15_000;
  for (;;) {
    const r = await api<TracesResponse>(`api/traces?${query}`);
    if (pred(r)) return r;
    if (Date.now() > end) throw new Error(`traces never matched (${query})`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const made = createE2eApp();
  closeApp = made.close;
  server = made.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await generateTraffic(base, { orders: 12, slow: 30, fails: 3, big: true });
  await waitForTraces((r) => r.traces.some((t) => t.spanCount === BIG_TRACE_SPANS) && r.traces.filter((t) => t.errorCount > 0).length >= 3);
  ({ page, close: closeBrowser } = await openPage({ width: 1400, height: 860 }, pageErrors));
  await login(page, base);
});

afterAll(async () => {
  writeFileSync(join(SHOTS, 'figures.json'), JSON.stringify(figures, null, 2));
  await closeBrowser?.();
  await closeApp?.();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

describe('panel UI in Chromium', () => {
  it('opens /_debug on the trace list with store counters', async () => {
    await page.goto(`${base}/_debug`);
    await page.waitForSelector('[data-testid="trace-row"]');
    await expect.poll(async () => Number((await page.locator('[data-testid="row-count"]').textContent())!.replace(/\D/g, ''))).toBeGreaterThanOrEqual(46);
    await expect.poll(() => page.locator('[data-testid="store-counters"]').textContent()).toMatch(/stored \d+ traces.*evicted 0 traces/);
    await shot('traces');
  });

  it('filters by status and route (the shared filter bar), with the filter in the URL', async () => {
    // The trace list has no service/route/status fields of its own: the bar under the nav is the one place.
    expect(await page.locator('[data-testid="filters"] [name="service"], [data-testid="filters"] [name="route"], [data-testid="filters"] [name="status"]').count()).toBe(0);
    await page.selectOption('[data-testid="ctx-status"]', 'error');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/traces?status=error');
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(3);
    await page.fill('[data-testid="ctx-route"]', '/api/slow');
    await page.press('[data-testid="ctx-route"]', 'Enter');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/traces?route=%2Fapi%2Fslow&status=error');
    await page.selectOption('[data-testid="ctx-status"]', '');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/traces?route=%2Fapi%2Fslow');
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(30);
    await shot('traces-filtered');
    // Slowest 1%: traces above the p99 of this filter (30 slow traces: p99 is the slowest one).
    await page.click('[data-testid="slowest"]');
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/route=%2Fapi%2Fslow&minDuration=\d/);
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(1);
    // The form's Clear drops its own filters (min duration) and keeps the bar's route.
    await page.click('[data-testid="filter-clear"]');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/traces?route=%2Fapi%2Fslow');
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(30);
  });

  it('shows the filter of the address in the bar, and Apply without an edit keeps it', async () => {
    await page.goto(`${base}/_debug/#/traces?service=shop&status=error`);
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(3);
    await expect.poll(() => page.locator('[data-testid="ctx-service"]').inputValue()).toBe('shop');
    expect(await page.locator('[data-testid="ctx-status"]').inputValue()).toBe('error');
    await shot('traces-link-filter');
    await page.click('[data-testid="filter-apply"]');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => location.hash)).toBe('#/traces?service=shop&status=error');
    expect(await page.locator('[data-testid="trace-row"]').count()).toBe(3);
    // Back and forward show each address's filter, not the last one typed.
    await page.goto(`${base}/_debug/#/traces?route=%2Fapi%2Fslow&minDuration=50`);
    expect(await page.locator('[data-testid="ctx-route"]').inputValue()).toBe('/api/slow');
    expect(await page.locator('[data-testid="filter-min"]').inputValue()).toBe('50');
    await page.goBack();
    await expect.poll(() => page.locator('[data-testid="ctx-status"]').inputValue()).toBe('error');
    expect(await page.locator('[data-testid="ctx-route"]').inputValue()).toBe('');
  });

  it('shows streamed traces behind a "N new" badge while paused', async () => {
    await page.goto(`${base}/_debug/#/traces?route=%2Fapi%2Forders%2F%3Aid`);
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(12);
    await page.click('[data-testid="live-toggle"]');
    // The page's EventSource must be connected before the traffic, or its traces are missed.
    await expect.poll(async () => (await api<{ stream: { clients: number } }>('api/stats')).stream.clients).toBeGreaterThan(0);
    await generateTraffic(base, { orders: 3, slow: 2, fails: 0, big: false });
    await page.waitForSelector('[data-testid="new-badge"]');
    expect(await page.locator('[data-testid="trace-row"]').count()).toBe(12); // no jumping
    await expect.poll(() => page.locator('[data-testid="new-badge"]').textContent()).toBe('3 new');
    await page.click('[data-testid="new-badge"]');
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(15);
    // Live again, at the top of the list: new traces flow in by themselves.
    await page.click('[data-testid="live-toggle"]');
    await generateTraffic(base, { orders: 2, slow: 0, fails: 0, big: false });
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(17);
    expect(await page.locator('[data-testid="new-badge"]').count()).toBe(0);
  });

  it('counts in the "N new" badge only the live traces that match the filter', async () => {
    // A fresh document per filter, with its EventSource watched: traffic must wait until it is open.
    await page.addInitScript(() => {
      const w = window as unknown as { sources: EventSource[] };
      w.sources = [];
      window.EventSource = class extends EventSource {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          w.sources.push(this);
        }
      };
    });
    const openPaused = async (hash: string, rows: number) => {
      await page.goto(`${base}/_debug/${hash}`);
      await page.reload();
      await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(rows);
      await page.click('[data-testid="live-toggle"]');
      await expect.poll(() => page.evaluate(() => (window as unknown as { sources: EventSource[] }).sources.at(-1)?.readyState)).toBe(1); // OPEN
    };
    await openPaused('#/traces?route=%2Fapi%2Ffail', 3);
    await generateTraffic(base, { orders: 6, slow: 4, fails: 2, big: false });
    await expect.poll(() => page.locator('[data-testid="new-badge"]').textContent()).toBe('2 new');
    await page.click('[data-testid="new-badge"]');
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(5);
    // A filter that no live trace matches: no badge, however much traffic.
    await openPaused('#/traces?route=%2Fapi%2Ffail&status=ok', 0);
    await generateTraffic(base, { orders: 6, slow: 4, fails: 2, big: false });
    await page.waitForTimeout(2500); // two flushes of the live buffer
    expect(await page.locator('[data-testid="new-badge"]').count()).toBe(0);
    // Text lives in spans, not in summaries: the badge asks the API before it counts.
    await openPaused('#/traces?text=charge', 7);
    await generateTraffic(base, { orders: 4, slow: 0, fails: 1, big: false });
    await expect.poll(() => page.locator('[data-testid="new-badge"]').textContent()).toBe('1 new');
    await shot('traces-new-badge');
    await page.click('[data-testid="new-badge"]');
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(8);
  });

  it('sorts the rows by a column header, in the address', async () => {
    await page.goto(`${base}/_debug/#/traces?route=%2Fapi%2Fslow`);
    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBeGreaterThan(20);
    const durations = async () => {
      const cells = await page.locator('[data-testid="trace-row"] .dur-cell .mono').allTextContents();
      return cells.map((c) => Number.parseFloat(c) * (c.endsWith('µs') ? 0.001 : c.endsWith('ms') ? 1 : 1000));
    };
    const sorted = (d: number[], desc: boolean) => d.every((x, i) => i === 0 || (desc ? d[i - 1]! >= x : d[i - 1]! <= x));
    await page.click('[data-testid="sort-duration"]');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/traces?route=%2Fapi%2Fslow&sort=duration');
    await expect.poll(async () => sorted(await durations(), true)).toBe(true);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Duration');
    await shot('traces-sorted');
    await page.click('[data-testid="sort-duration"]');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/traces?route=%2Fapi%2Fslow&sort=duration&dir=asc');
    await expect.poll(async () => sorted(await durations(), false)).toBe(true);
    await page.click('[data-testid="sort-start"]'); // newest first: the default, so the address says nothing
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/traces?route=%2Fapi%2Fslow');
  });

  it('opens a trace, folds repeated siblings, expands and collapses', async () => {
    await page.goto(`${base}/_debug/#/traces?route=%2Fapi%2Forders%2F%3Aid`);
    await page.locator('[data-testid="trace-row"]').first().click();
    await page.waitForSelector('[data-testid="waterfall"]');
    const rows = page.locator('[data-testid="wf-row"]');
    const fold = page.locator('[data-testid="wf-fold"]');
    await expect.poll(() => fold.textContent()).toContain('×6SELECT order_items');
    expect(await rows.count()).toBe(4); // GET, load order, price order, fetch exchange rate
    await fold.click();
    await expect.poll(() => rows.count()).toBe(10);
    const loadOrder = page.locator('[data-testid="wf-row"]', { hasText: 'load order' });
    await loadOrder.locator('[data-testid="wf-toggle"]').click();
    await expect.poll(() => rows.count()).toBe(4);
    await page.click('[data-testid="collapse-all"]');
    await expect.poll(() => rows.count()).toBe(1);
    await page.click('[data-testid="expand-all"]');
    await expect.poll(() => rows.count()).toBe(10);
  });

  it('searches inside the trace with next/previous and opens span details', async () => {
    await page.click('[data-testid="collapse-all"]');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('trace-search');
    await page.keyboard.type('db.line=3');
    await expect.poll(() => page.locator('[data-testid="match-count"]').textContent()).toBe('0 / 1');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-testid="match-count"]').textContent()).toBe('1 / 1');
    // The match was inside a collapsed subtree: it is revealed and selected.
    const detail = page.locator('[data-testid="span-detail"]');
    await expect.poll(() => detail.locator('h2').textContent()).toBe('SELECT order_items');
    await expect.poll(() => detail.locator('[data-testid="span-attributes"]').textContent()).toContain('sqlite');
    await page.fill('[data-testid="trace-search"]', 'select');
    await expect.poll(() => page.locator('[data-testid="wf-row"].match').count()).toBe(6);
    await page.click('[data-testid="match-next"]');
    await page.click('[data-testid="match-next"]');
    await expect.poll(() => page.locator('[data-testid="match-count"]').textContent()).toBe('2 / 6');
    await page.click('[data-testid="match-prev"]');
    await expect.poll(() => page.locator('[data-testid="match-count"]').textContent()).toBe('1 / 6');
    expect(await page.locator('[data-testid="wf-row"].current').count()).toBe(1);
    await shot('trace');
  });

  it('follows a shareable link to the same span', async () => {
    const url = page.url();
    expect(url).toMatch(/#\/trace\/[0-9a-f]{32}\?.*span=[0-9a-f]{16}/);
    const spanId = /span=([0-9a-f]{16})/.exec(url)![1]!;
    const other = await page.context().newPage();
    await other.goto(url);
    await other.waitForSelector('[data-testid="span-detail"]');
    expect(await other.locator('[data-testid="wf-row"].selected').getAttribute('data-span-id')).toBe(spanId);
    expect(await other.locator('[data-testid="span-detail"] h2').textContent()).toBe('SELECT order_items');
    expect(await other.locator('[data-testid="trace-search"]').inputValue()).toBe('select'); // the search too
    expect(await other.locator('[data-testid="wf-row"].match').count()).toBe(6);
    await other.close();
  });

  it('shows an exception with its stack on an error trace', async () => {
    await page.goto(`${base}/_debug/#/traces?status=error`);
    await page.locator('[data-testid="trace-row"]').first().click();
    await page.locator('[data-testid="wf-row"]').first().click();
    const exception = page.locator('[data-testid="exception"]');
    await expect.poll(() => exception.textContent()).toContain('payment declined');
    expect(await exception.locator('pre').textContent()).toMatch(/at .*app\.(ts|js)/);
    await shot('trace-error');
  });

  it('moves with j/k, opens with Enter, closes with Esc', async () => {
    await page.goto(`${base}/_debug/#/traces?status=error`);
    await page.waitForSelector('[data-testid="trace-row"]');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await expect.poll(() => page.locator('[data-testid="trace-row"]').first().getAttribute('class')).toContain('cursor');
    expect(await page.locator('[data-testid="trace-row"].cursor').count()).toBe(1);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="waterfall"]');
    await page.keyboard.press('j');
    await page.waitForSelector('[data-testid="span-detail"]');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="span-detail"]').count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/traces?status=error'); // back to the same filter
  });

  it('keeps a long trace list light: a few dozen rows in the DOM, scrolling and the cursor followed', async () => {
    await generateTraffic(base, { orders: 0, slow: 300, fails: 0, big: false });
    await page.goto(`${base}/_debug/#/traces?route=%2Fapi%2Fslow`);
    const shown = async () => Number((await page.locator('[data-testid="row-count"]').textContent())!.replace(/\D/g, ''));
    await expect.poll(shown).toBe(100);
    for (let i = 0; i < 3; i++) await page.click('[data-testid="load-older"]');
    await expect.poll(shown).toBeGreaterThanOrEqual(300);
    const total = await shown();
    const rows = page.locator('[data-testid="trace-row"]');
    expect(await rows.count()).toBeLessThan(80);
    await page.locator('.table-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => rows.last().getAttribute('aria-rowindex')).toBe(String(total + 1));
    expect(await rows.count()).toBeLessThan(80);
    await page.locator('.table-scroll').evaluate((el) => (el.scrollTop = 0));
    await page.locator('.listbar').click({ position: { x: 600, y: 10 } }); // focus out of any field
    for (let i = 0; i < 60; i++) await page.keyboard.press('j');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('aria-rowindex'))).toBe('61');
    expect(await page.locator('[data-testid="trace-row"].cursor').getAttribute('aria-rowindex')).toBe('61');
    await shot('traces-long');
  });

  it('opens a 10,000-span trace with few rows in the DOM and scrolls without long tasks', async () => {
    const big = (await waitForTraces((r) => r.traces.length > 0, 'name=GET%20%2Fapi%2Fbig')).traces[0]!;
    await page.goto(`${base}/_debug/#/traces`);
    await page.waitForSelector('[data-testid="trace-row"]');
    await page.evaluate(() => {
      (window as unknown as { longTasks: number[] }).longTasks = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) (window as unknown as { longTasks: number[] }).longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
      performance.clearMarks();
      performance.clearMeasures();
    });
    await page.evaluate((id) => (location.hash = `#/trace/${id}`), big.traceId);
    await page.waitForSelector('[data-testid="wf-row"]');
    await expect.poll(() => page.locator('[data-testid="span-count"]').textContent()).toBe('10,000');
    const render = await page.evaluate(() => {
      const m = performance.getEntriesByName('waterfall-render')[0];
      const start = performance.getEntriesByName('trace-fetch-start')[0]!.startTime;
      const done = performance.getEntriesByName('waterfall-rendered')[0]!.startTime;
      return { renderMs: m?.duration, fetchToRenderMs: done - start };
    });
    const domRows = await page.locator('.wf-row').count();
    expect(domRows).toBeLessThan(200);
    await page.click('[data-testid="expand-all"]');
    await page.locator('[data-testid="wf-fold"]').first().click();
    const totalRows = Number((await page.locator('[data-testid="row-total"]').textContent())!.replace(/\D/g, ''));
    expect(totalRows).toBeGreaterThan(400);
    await page.evaluate(() => ((window as unknown as { longTasks: number[] }).longTasks = []));
    await page.hover('[data-testid="waterfall-scroll"]');
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(16);
    }
    await page.waitForTimeout(200);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    const domRowsAfterScroll = await page.locator('.wf-row').count();
    expect(domRowsAfterScroll).toBeLessThan(200);
    Object.assign(figures, { bigTrace: { ...render, domRows, domRowsAfterScroll, totalRows, scrollLongTasksMs: longTasks } });
    console.log('10,000-span trace:', JSON.stringify(figures.bigTrace));
    await shot('trace-big');
  });

  it('toggles the theme and remembers it', async () => {
    const before = await page.evaluate(() => document.documentElement.dataset.theme);
    await page.click('[data-testid="theme-toggle"]');
    const after = await page.evaluate(() => document.documentElement.dataset.theme);
    expect(after).not.toBe(before);
    await page.reload();
    await page.waitForSelector('[data-testid="waterfall"]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(after);
    await page.goto(`${base}/_debug/#/traces?route=%2Fapi%2Forders%2F%3Aid`);
    await page.locator('[data-testid="trace-row"]').first().click();
    await page.locator('[data-testid="wf-fold"]').click();
    await page.locator('[data-testid="wf-row"]', { hasText: 'price order' }).click();
    await shot(`trace-${after}`);
    await page.goto(`${base}/_debug/#/traces`);
    await page.waitForSelector('[data-testid="trace-row"]');
    await shot(`traces-${after}`);
    await page.click('[data-testid="theme-toggle"]');
  });

  it('shows stats and the views other features fill in', async () => {
    await page.click('[data-testid="nav-stats"]');
    await expect.poll(() => page.locator('[data-testid="stats-store"]').textContent()).toMatch(/spans.*\d/);
    await shot('stats');
    for (const view of ['map', 'flame', 'metrics', 'insights', 'breakpoints']) {
      await page.click(`[data-testid="nav-${view}"]`);
      await page.waitForSelector(`[data-testid="view-${view}"]`);
      await shot(view);
    }
  });

  it('shows the login role in the header and, for the debugger, the audit log view', async () => {
    expect(await page.locator('[data-testid="role"]').textContent()).toBe('debugger');
    await page.click('[data-testid="nav-audit"]');
    await page.waitForSelector('[data-testid="view-audit"]');
    // The session cookie, not the token, carried the browser here: the address never shows it.
    expect(page.url()).not.toContain('token=');
    await shot('audit');
  });

  it('raised no page errors and no CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
