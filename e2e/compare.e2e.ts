/**
 * Browser test of the Compare view (two cohorts of one route, the diff flame graph), of the ranges
 * shaded on the metrics charts (an Insights link's, a drag's), and of the trace list's
 * duration-over-time scatter plot: Chromium against the e2e app, with fast and
 * slow requests of one route so the two cohorts differ in one span. Screenshots land in
 * e2e/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eApp } from './src/app.js';
import { startSession } from './src/session.js';
import { E2E_TOKEN } from './src/token.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let base: string;
let closeSession: (() => Promise<void>) | undefined;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const made = createE2eApp();
  ({ base, page, close: closeSession } = await startSession(made, pageErrors));
  // One route, two kinds of request: 'slow work' of 1 ms and of 150 ms (after a warm-up
  // request of another route, so the first one is not slow for being first).
  await (await fetch(`${base}/api/orders/1`)).text();
  for (const ms of [1, 1, 1, 1, 150, 150, 150]) await (await fetch(`${base}/api/slow?ms=${ms}`)).text();
});

afterAll(async () => {
  await closeSession?.();
});

describe('compare view in Chromium', () => {
  it('compares the faster and slower traces of a route from a preset: cohorts, diff flame, changes', async () => {
    await page.goto(`${base}/_debug/#/compare`);
    await page.locator('[data-testid="view-compare"]').waitFor();
    await page.fill('[data-testid="compare-route"]', '/api/slow');
    await page.fill('[data-testid="compare-split"]', '100');
    await page.click('[data-testid="preset-slow"]');
    const a = page.locator('[data-testid="compare-cohort-a"]');
    await a.waitFor({ timeout: 10_000 });
    // (a loaded machine may stretch a fast request past the split: count both cohorts together)
    const count = async (id: string) => Number(/(\d+) traces/.exec(await page.locator(`[data-testid="${id}"]`).innerText())![1]);
    expect((await count('compare-cohort-a')) + (await count('compare-cohort-b'))).toBe(7);
    expect(await count('compare-cohort-b')).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-testid="compare-delta"]').innerText()).toMatch(/\+\d+(\.\d+)? ?ms/);
    // the hash holds both cohorts, so the comparison is a link
    const hash = new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]);
    expect(hash.get('a')).toBe('route=/api/slow&maxDuration=100');
    expect(hash.get('b')).toBe('route=/api/slow&minDuration=100');
    // the diff flame draws the aligned tree; the slow step leads the changes, slower in B
    const canvas = page.locator('[data-testid="diff-flame-canvas"]');
    await canvas.waitFor();
    expect(Number(await canvas.getAttribute('data-rects'))).toBeGreaterThanOrEqual(2);
    const first = page.locator('[data-testid="compare-changes"] tbody tr').first();
    expect(await first.innerText()).toMatch(/slow work|GET \/api\/slow/);
    expect(await first.locator('td.num.err').count()).toBe(1);
    // hovering the flame's second row (the slow step) says what changed
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + 40, box.y + 18 + 9);
    const tip = page.locator('[data-testid="diff-flame-tip"]');
    await tip.waitFor();
    expect(await tip.innerText()).toMatch(/slow work[\s\S]*self per trace: A [\d.]+ ?ms → B [\d.]+ ?ms \(\+/);
    await page.screenshot({ path: join(SHOTS, 'compare-view.png'), fullPage: true });
  });

  it('opens a comparison of one trace against its route from the trace view', async () => {
    const list = (await (await fetch(`${base}/_debug/api/traces?route=/api/slow&minDuration=100`, { headers: { authorization: `Bearer ${E2E_TOKEN}` } })).json()) as { traces: Array<{ traceId: string }> };
    const id = list.traces[0]!.traceId;
    await page.goto(`${base}/_debug/#/trace/${id}`);
    await page.click('[data-testid="route-compare"]');
    await page.locator('[data-testid="compare-cohort-b"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="compare-cohort-b"]').innerText()).toMatch(/1 traces/);
    expect(await page.locator('[data-testid="compare-cohort-a"]').innerText()).toMatch(/7 traces/);
    expect(await page.locator('[data-testid="compare-error"]').count()).toBe(0);
  });

  it('says what is wrong with a cohort the server refuses', async () => {
    await page.goto(`${base}/_debug/#/compare?a=nope&b=${'f'.repeat(32)}`);
    const err = page.locator('[data-testid="compare-error"]');
    await err.waitFor({ timeout: 10_000 });
    expect(await err.innerText()).toMatch(/malformed trace id "nope"/);
    // the 400 itself shows in the console as a failed load: expected here, not a page error
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !/status of 400/.test(e)));
  });

  it('shades the range an Insights link gives on every metrics chart', async () => {
    const now = Date.now();
    await page.goto(`${base}/_debug/#/metrics?from=${now - 40_000}&to=${now - 10_000}`);
    const latency = page.locator('[data-testid="chart-latency"]');
    await latency.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-latency"]')?.getAttribute('data-bands') === '1');
    expect(await page.locator('[data-testid="chart-traffic"]').getAttribute('data-bands')).toBe('1');
    expect(await page.locator('[data-testid="metrics-bands"]').innerText()).toMatch(/Shaded:\s+the selected range \d\d:\d\d:\d\d[.\d]*–\d\d:\d\d:\d\d/);
    await page.screenshot({ path: join(SHOTS, 'metrics-shaded.png') });
  });

  it('picks a range by dragging across a chart: shaded, the tables over it, a link to its traces', async () => {
    await page.goto(`${base}/_debug/#/metrics?window=5m`);
    const plot = page.locator('[data-testid="chart-latency"] .u-over');
    await plot.waitFor({ timeout: 10_000 });
    const box = (await plot.boundingBox())!;
    // from the middle to the right edge: the last minutes, which hold every request of this test
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => /[?&]from=\d+&to=\d+/.test(location.hash));
    // the drag did not also count as a click on a point (that would open the trace list)
    expect(await page.evaluate(() => location.hash)).toMatch(/^#\/metrics\?/);
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-errors"]')?.getAttribute('data-bands') === '1');
    const scope = page.locator('[data-testid="routes-scope"]');
    await page.waitForFunction(() => /over \d\d:\d\d:\d\d/.test(document.querySelector('[data-testid="routes-scope"]')?.textContent ?? ''));
    expect(await scope.innerText()).toMatch(/^2 over \d\d:\d\d:\d\d\.\d{3}–\d\d:\d\d:\d\d\.\d{3}/);
    const link = await page.locator('[data-testid="range-traces"]').getAttribute('href');
    const q = new URLSearchParams(link!.split('?')[1]);
    const hash = new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]);
    expect(q.get('since')).toBe(hash.get('from'));
    expect(q.get('until')).toBe(hash.get('to'));
    await page.screenshot({ path: join(SHOTS, 'metrics-range.png') });
    await page.click('[data-testid="range-clear"]');
    await page.waitForFunction(() => !/from=/.test(location.hash));
    expect(await scope.innerText()).toMatch(/over the last 5m/);
    expect(pageErrors).toEqual([]);
  });

  it('plots the duration over time of the listed traces: a dot opens its trace, a drag narrows the list to a time range', async () => {
    await page.goto(`${base}/_debug/#/traces?route=/api/slow`);
    const canvas = page.locator('[data-testid="trace-scatter-canvas"]');
    await canvas.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="trace-scatter-canvas"]')?.getAttribute('data-dots') === '7');
    await page.screenshot({ path: join(SHOTS, 'traces-scatter.png') });
    // the slow traces sit high on the log axis: find one by hovering along the top band
    const box = (await canvas.boundingBox())!;
    let opened = false;
    for (let x = box.x + 52; x < box.x + box.width - 12 && !opened; x += 3) {
      for (const y of [box.y + 12, box.y + 20, box.y + 28]) {
        await page.mouse.move(x, y);
        if (await page.locator('[data-testid="trace-scatter-tip"]').count()) {
          expect(await page.locator('[data-testid="trace-scatter-tip"]').innerText()).toMatch(/GET \/api\/slow[\s\S]*\b\d\d+(\.\d+)?ms/); // a slow one, not a 1 ms one (the very first request may be slow too: cold start)
          await page.mouse.down();
          await page.mouse.up();
          opened = true;
          break;
        }
      }
    }
    expect(opened).toBe(true);
    await page.waitForFunction(() => location.hash.startsWith('#/trace/'));
    // back to the list; a drag across the whole plot sets a time window that keeps every dot
    await page.goto(`${base}/_debug/#/traces?route=/api/slow`);
    await canvas.waitFor();
    await page.mouse.move(box.x + 53, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + box.width - 13, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(() => /since=\d+/.test(location.hash) && /until=\d+/.test(location.hash));
    await page.locator('[data-testid="time-window"]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="trace-scatter-canvas"]')?.getAttribute('data-dots') === '7');
    expect(pageErrors).toEqual([]);
  });
});
