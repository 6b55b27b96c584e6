/**
 * The Logs view in Chromium on the three-service demo: checkouts log a line in each service (and
 * failing ones, with the unpriced product 13, an ERROR in orders and at the gateway); the
 * gateway's panel (the hub) lists them newest first with severity badges, filters by severity and
 * text (kept in the address, menus included), pages back, tails new lines live and holds them
 * while paused; a record opens its trace at its span, whose detail lists the span's logs, and the
 * trace's log count leads back to the Logs view filtered by the trace.
 * Screenshots: /tmp/logsui-{list,errors,trace,trace-logs,dark}.png.
 */
import type { Page } from 'playwright-core';
import type { LogRecord, LogsResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningService } from '../apps/demo/src/launcher.js';
import { E2E_AUTH, E2E_TOKEN, login, openPage } from './src/browser.js';
import { until } from './src/until.js';

let shop: Record<'gateway' | 'orders' | 'inventory', RunningService> | undefined;
let closeBrowser: () => Promise<void>;
let page: Page;
let gw: string;
const pageErrors: string[] = [];

const checkout = (customer: string, productId = 2) =>
  fetch(`${gw}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-demo-user': customer },
    body: JSON.stringify({ customer, items: [{ productId, quantity: 1 }] }),
  }).then((r) => r.status);

const hubLogs = (query: string) => fetch(`${gw}/_debug/api/logs?${query}`, E2E_AUTH).then((r) => r.json() as Promise<LogsResponse>);
const rows = () => page.locator('[data-testid="log-row"]');
/** The service chip of each drawn row, top first */
const rowServices = () => rows().locator('.svc').allTextContents();
const hash = () => page.evaluate(() => decodeURIComponent(location.hash));

beforeAll(async () => {
  shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token: E2E_TOKEN });
  gw = shop.gateway.url;
  // 80 good checkouts: a line in each of the three services, 240 records, more than one page (200).
  // (spread over products 1-12: each has only a little stock)
  for (let b = 0; b < 16; b++) {
    const batch = await Promise.all(Array.from({ length: 5 }, (_, i) => b * 5 + i).map((n) => checkout(`cust-${n}`, (n % 12) + 1)));
    expect(batch).toEqual([201, 201, 201, 201, 201]);
  }
  for (const c of ['ada', 'bob']) expect(await checkout(c, 13)).toBe(502);
  // orders and inventory send their lines to the hub in batches: wait for all of them.
  await until('the hub has every line', () => hubLogs('limit=1000'), (r) =>
    r.logs.filter((l) => l.service === 'inventory').length >= 80 && r.logs.filter((l) => l.severityNumber >= 17 && l.service === 'orders').length >= 2);
  ({ page, close: closeBrowser } = await openPage({ width: 1400, height: 900 }, pageErrors));
  await login(page, gw);
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  if (shop) await Promise.all(Object.values(shop).map((s) => s.stop()));
});

describe('logs view in Chromium on the demo', () => {
  it('lists records newest first with severity badges and services, and pages back by cursor', async () => {
    await page.goto(`${gw}/_debug/#/logs`);
    await page.locator('[data-testid="nav-logs"][aria-current="page"]').waitFor();
    await rows().first().waitFor();
    const texts = await rows().allTextContents();
    expect(texts.some((t) => /INFO\s*(orders|inventory)\s*(order for|reserving stock for)/.test(t))).toBe(true);
    expect(texts.some((t) => /ERROR\s*orders\s*POST \/orders failed with 500/.test(t))).toBe(true);
    // newest first by time (not by arrival at the hub): the top row is the latest record written
    const times = await rows().locator('.log-time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('title')!)));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const latest = Math.max(...(await hubLogs('limit=1000')).logs.map((l) => l.time));
    expect(times[0]).toBe(Math.floor(latest));
    // severity colours: an ERROR row carries the error class, an INFO row the info class
    expect(await rows().filter({ hasText: 'failed with 500' }).first().getAttribute('class')).toMatch(/\bsev-error\b/);
    expect(await rows().filter({ hasText: 'for cust-' }).first().getAttribute('class')).toMatch(/\bsev-info\b/);
    expect(await page.locator('[data-testid="logs-count"]').textContent()).toMatch(/^200 records shown/);
    await page.screenshot({ path: '/tmp/logsui-list.png' });

    // the list is virtualized: far fewer rows in the DOM than shown
    expect(await rows().count()).toBeLessThan(120);
    await page.locator('[data-testid="logs-scroll"]').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator('[data-testid="logs-more"]').click();
    // the next page arrived: more than the first page's 200 (a /^2\d\d/ match passed on the first page itself)
    await expect.poll(async () => Number(((await page.locator('[data-testid="logs-count"]').textContent()) ?? '').split(' ')[0])).toBeGreaterThan(200);
    const shown = Number((await page.locator('[data-testid="logs-count"]').textContent())!.split(' ')[0]);
    expect(shown).toBe((await hubLogs('limit=1000')).logs.length);
    await expect.poll(() => page.locator('[data-testid="logs-more"]').count()).toBe(0);
  });

  it('filters by minimum severity and by text; the address keeps the filter and the menus show it', async () => {
    await page.locator('[data-testid="logs-scroll"]').evaluate((el) => (el.scrollTop = 0));
    await page.locator('[data-testid="logs-filter-severity"]').selectOption('warn');
    await expect.poll(hash).toBe('#/logs?severity=warn');
    const warnings = (await hubLogs('severity=warn&limit=1000')).logs.length;
    expect(warnings).toBeGreaterThanOrEqual(4); // 2 failing checkouts x (orders, gateway)
    await expect.poll(() => rows().count()).toBe(warnings);
    for (const t of await rows().allTextContents()) expect(t).toMatch(/^\S+\s*ERROR/);
    await page.screenshot({ path: '/tmp/logsui-errors.png' });

    // a shared link shows its filter: the menu reads the hash after a reload
    await page.reload();
    await rows().first().waitFor();
    expect(await page.locator('[data-testid="logs-filter-severity"]').inputValue()).toBe('warn');
    expect(await rows().count()).toBe(warnings);

    // text on Enter, service from the shared filter bar (the view has no service menu of its own)
    await page.locator('[data-testid="logs-filter-severity"]').selectOption('');
    await expect.poll(hash).toBe('#/logs');
    await page.locator('[data-testid="logs-filter-text"]').fill('reserving stock');
    await page.locator('[data-testid="logs-filter-text"]').press('Enter');
    await expect.poll(hash).toBe('#/logs?text=reserving+stock');
    const reserving = (await hubLogs('text=reserving stock&limit=1000')).logs.length;
    expect(reserving).toBeGreaterThanOrEqual(80);
    await expect.poll(() => page.locator('[data-testid="logs-count"]').textContent()).toBe(`${reserving} records shown`);
    for (const t of await rows().allTextContents()) expect(t).toMatch(/inventory\s*reserving stock for 1 lines/);
    await page.locator('[data-testid="logs-filter-text"]').fill('');
    await page.locator('[data-testid="logs-filter-text"]').press('Enter');
    await page.locator('[data-testid="ctx-service"]').selectOption('orders');
    await expect.poll(hash).toBe('#/logs?service=orders');
    await rows().first().waitFor();
    // the list is replaced when the filtered page arrives: read until it has (the hash changes first)
    await expect.poll(async () => [...new Set(await rowServices())]).toEqual(['orders']);
    await page.reload();
    await rows().first().waitFor();
    expect(await page.locator('[data-testid="ctx-service"]').inputValue()).toBe('orders');

    // a bad severity in a link is refused with what to write
    await page.goto(`${gw}/_debug/#/logs?severity=loud`);
    expect(await page.locator('[role="alert"]').first().textContent()).toMatch(/severity must be a number from 1 to 24/);
  });

  it('tails new records live, holds them while paused, and keeps the filter on the stream', async () => {
    await page.goto(`${gw}/_debug/#/logs?service=gateway`);
    await rows().first().waitFor();
    expect(await checkout('live-1')).toBe(201);
    await expect.poll(() => rows().first().textContent(), { timeout: 10_000 }).toMatch(/checkout for live-1/);
    // the other services' lines of that checkout are not gateway's: the stream is filtered too
    await new Promise((r) => setTimeout(r, 1500));
    expect(new Set(await rowServices())).toEqual(new Set(['gateway']));

    await page.locator('[data-testid="logs-live"]').click();
    expect(await page.locator('[data-testid="logs-live"]').getAttribute('aria-pressed')).toBe('false');
    expect(await checkout('paused-1')).toBe(201);
    await page.locator('[data-testid="logs-new"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="logs-new"]').textContent()).toMatch(/^1 new/);
    expect(await rows().first().textContent()).toMatch(/checkout for live-1/);
    await page.locator('[data-testid="logs-new"]').click();
    await expect.poll(() => rows().first().textContent()).toMatch(/checkout for paused-1/);
    expect(await rows().filter({ hasText: 'checkout for paused-1' }).count()).toBe(1);
    await page.locator('[data-testid="logs-live"]').click();
    expect(await page.locator('[data-testid="logs-live"]').getAttribute('aria-pressed')).toBe('true');
  });

  it('opens a record\'s trace at its span; the span detail lists its logs and the trace links back to them', async () => {
    const failing = (await hubLogs('service=orders&severity=error')).logs[0]!;
    expect(failing.traceId).toMatch(/^[0-9a-f]{32}$/);
    await page.goto(`${gw}/_debug/#/logs?service=orders&severity=error`);
    await rows().first().waitFor();
    await rows().filter({ hasText: 'failed with 500' }).first().click();
    await page.waitForSelector('[data-testid="view-trace"]');
    // the list's service rides along as the shared context (lib/context.ts)
    expect(await hash()).toBe(`#/trace/${failing.traceId}?span=${failing.spanId}&service=orders`);

    // the span that logged is selected, marked, and its detail lists the line
    const row = page.locator(`[data-testid="wf-row"][data-span-id="${failing.spanId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('aria-selected')).toBe('true');
    await page.locator('[data-testid="wf-logs"]').first().waitFor();
    expect(await row.locator('[data-testid="wf-logs"]').getAttribute('class')).toMatch(/\bsev-error\b/);
    const spanLogs = page.locator('[data-testid="span-logs"]');
    await spanLogs.waitFor();
    const lines = await spanLogs.locator('[data-testid="span-log"]').allTextContents();
    expect(lines.some((l) => /ERROR\s*POST \/orders failed with 500/.test(l))).toBe(true);

    // every service of the trace logged: the markers sit on spans of gateway and orders
    const all = await until('the trace\'s logs', () => hubLogs(`traceId=${failing.traceId}`), (r) => new Set(r.logs.map((l) => l.service)).size >= 2);
    const spansThatLogged = new Set(all.logs.map((l: LogRecord) => l.spanId));
    const marked = await page.locator('[data-testid="wf-row"]:has([data-testid="wf-logs"])').evaluateAll((els) => els.map((e) => e.getAttribute('data-span-id')));
    expect(marked.length).toBeGreaterThanOrEqual(2);
    for (const id of marked) expect(spansThatLogged.has(id!)).toBe(true);
    expect(await page.locator('[data-testid="trace-logs"]').textContent()).toBe(String(all.logs.length));
    await page.screenshot({ path: '/tmp/logsui-trace.png' });

    // "all logs of this trace": the Logs view filtered by the trace id, the field shows it
    await page.locator('[data-testid="trace-logs"]').click();
    await page.waitForSelector('[data-testid="view-logs"]');
    // the context is kept for the next view, but a trace id wins: every service's lines of the trace
    expect(await hash()).toBe(`#/logs?traceId=${failing.traceId}&service=orders`);
    await expect.poll(() => rows().count()).toBe(all.logs.length);
    expect(await page.locator('[data-testid="logs-filter-trace"]').inputValue()).toBe(failing.traceId);
    const services = new Set((await rows().allTextContents()).map((t) => /(gateway|orders|inventory)/.exec(t)?.[1]));
    expect(services).toEqual(new Set(all.logs.map((l) => l.service)));
    await page.screenshot({ path: '/tmp/logsui-trace-logs.png' });
    // the dark theme keeps the severity colours readable (looked at)
    await page.click('[data-testid="theme-toggle"]');
    await page.goto(`${gw}/_debug/#/logs`);
    await rows().first().waitFor();
    await page.screenshot({ path: '/tmp/logsui-dark.png' });
    await page.click('[data-testid="theme-toggle"]');
    expect(pageErrors).toEqual([]);
  });
});
