/**
 * The store's retention in Chromium: an app whose store holds about 40 traces gets 150 ordinary
 * requests, slow ones and failing ones; the store thins the ordinary ones first, and the Stats
 * view's "store retention" card says how far back each class reaches (errors kept from the start,
 * normal traces only the latest), as the trace list's counters do.
 * Screenshot: e2e/screenshots/stats-retention.png.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatsResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eApp } from './src/app.js';
import { E2E_AUTH } from './src/browser.js';
import { startSession, type BrowserSession } from './src/session.js';
import { until } from './src/until.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const pageErrors: string[] = [];
let s: BrowserSession;

const get = async (base: string, path: string) => {
  const res = await fetch(base + path);
  await res.arrayBuffer();
};

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  s = await startSession(createE2eApp({ panel: { store: { maxSpans: 400, slowTraceMs: 90 } } }), pageErrors);
  // Errors and slow requests first: the oldest traces of the store, kept all the same.
  for (let i = 0; i < 3; i++) await get(s.base, '/api/fail');
  for (let i = 0; i < 3; i++) await get(s.base, '/api/slow?ms=120');
  for (let i = 0; i < 150; i++) await get(s.base, `/api/orders/${2000 + i}`);
  await until('the store thinned normal traces', () => fetch(`${s.base}/_debug/api/stats`, E2E_AUTH).then((r) => r.json() as Promise<StatsResponse>), (st) => st.store.retention.normal.evicted > 50);
});

afterAll(async () => {
  await s?.close();
});

describe('store retention in the Stats view', () => {
  it('keeps errors and slow traces through a flood of ordinary ones, and says how far back each reaches', async () => {
    const stats = (await (await fetch(`${s.base}/_debug/api/stats`, E2E_AUTH)).json()) as StatsResponse;
    const r = stats.store.retention;
    // (A loaded machine may make an order slow, or a panel request fail: at least ours, none lost.)
    expect(r.error.traces).toBeGreaterThanOrEqual(3);
    expect(r.slow.traces).toBeGreaterThanOrEqual(3);
    expect(r.error.evicted + r.slow.evicted).toBe(0);
    expect(r.error.oldestStartAt!).toBeLessThan(r.normal.oldestStartAt!);

    const page = s.page;
    await page.goto(`${s.base}/_debug/#/stats`);
    const card = page.getByTestId('stats-retention');
    await card.waitFor();
    const errors = await page.getByTestId('retention-error').innerText();
    const normal = await page.getByTestId('retention-normal').innerText();
    expect(errors).toMatch(/^errors\s+\d\d:\d\d\s+\d+\s+0$/);
    expect(normal).toMatch(/^normal traces\s+\d\d:\d\d\s+\d+\s+\d+$/);
    await card.screenshot({ path: join(SHOTS, 'stats-retention.png') });
    await page.screenshot({ path: join(SHOTS, 'stats-view.png') });

    await page.goto(`${s.base}/_debug/#/traces`);
    const reach = page.getByTestId('store-reach');
    await reach.waitFor();
    await page.getByTestId('store-counters').screenshot({ path: join(SHOTS, 'store-counters.png') });
    expect(await reach.innerText()).toMatch(/errors back to \d\d:\d\d · slow traces back to \d\d:\d\d.*normal traces back to \d\d:\d\d/);
    expect(pageErrors).toEqual([]);
  });
});
