/**
 * A hub's trace opened before every service's spans have arrived (issue 19, item 1): the view
 * says it is incomplete, and fills in from the live stream without a reload, attaching the span
 * that arrived before its parent; the late service's clock skew is adjusted and marked.
 *
 * Three "services" post OTLP/JSON to one hub panel, as the demo's orders and inventory do.
 */
import { mkdirSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Page } from 'playwright-core';
import type { TraceResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugPanel } from 'debugpanel';
import { openPage } from './src/browser.js';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const id = (n: number) => n.toString(16).padStart(16, '0');

let server: Server;
let base: string;
let close: () => void;
let page: Page;
let closeBrowser: () => Promise<void>;
const pageErrors: string[] = [];
const t0 = BigInt(Date.now()) * 1_000_000n;
const at = (ms: number) => String(t0 + BigInt(Math.round(ms * 1_000_000)));

interface Sp {
  span: number;
  parent?: number;
  name: string;
  kind: 2 | 3;
  from: number;
  to: number;
  attrs?: Record<string, string | number>;
}

function otlp(service: string, spans: Sp[]) {
  const value = (v: string | number) => (typeof v === 'number' ? { intValue: String(v) } : { stringValue: v });
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'e2e' },
            spans: spans.map((s) => ({
              traceId: TRACE,
              spanId: id(s.span),
              ...(s.parent ? { parentSpanId: id(s.parent) } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: at(s.from),
              endTimeUnixNano: at(s.to),
              attributes: Object.entries(s.attrs ?? {}).map(([key, v]) => ({ key, value: value(v) })),
              status: {},
            })),
          },
        ],
      },
    ],
  };
}

async function send(service: string, spans: Sp[]): Promise<void> {
  const res = await fetch(`${base}/_debug/v1/traces`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify(otlp(service, spans)) });
  expect(res.status).toBe(200);
}

async function spansInStore(): Promise<number> {
  const res = await fetch(`${base}/_debug/api/traces/${TRACE}`, { headers: AUTH });
  return res.ok ? ((await res.json()) as TraceResponse).spans.length : 0;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const app = express();
  const panel = debugPanel({ service: 'gateway', hub: true, token: TOKEN });
  app.use(panel);
  close = () => panel.panel.close();
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ({ page, close: closeBrowser } = await openPage({ width: 1400, height: 700 }, pageErrors));
  await page.setExtraHTTPHeaders(AUTH);
});

afterAll(async () => {
  await closeBrowser?.();
  close?.();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

describe('a trace opened before its last services’ spans arrive', () => {
  it('says it is incomplete, then fills in from the live stream without a reload', async () => {
    // The gateway's part, and inventory's server span whose parent (an orders client span) is not here yet.
    await send('gateway', [
      { span: 1, name: 'GET /api/products', kind: 2, from: 0, to: 10, attrs: { 'http.request.method': 'GET', 'http.route': '/api/products', 'http.response.status_code': 200 } },
      { span: 2, parent: 1, name: 'GET', kind: 3, from: 1, to: 8, attrs: { 'http.request.method': 'GET', 'url.full': 'http://orders.internal:3001/products', 'peer.service': 'orders', 'http.response.status_code': 200 } },
    ]);
    await send('inventory', [{ span: 5, parent: 4, name: 'GET /products', kind: 2, from: 4, to: 6 }]);
    await expect.poll(spansInStore).toBe(3);

    await page.goto(`${base}/_debug/#/trace/${TRACE}`);
    await page.waitForSelector('[data-testid="span-count"]');
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    expect(await page.locator('[data-testid="span-count"]').textContent()).toBe('3');
    const note = page.locator('[data-testid="trace-incomplete"]');
    await expect.poll(() => note.textContent()).toMatch(/1 span refers to a parent not seen yet; 1 call waiting for spans from orders/);
    expect(await page.locator('[data-testid="wf-orphan"]').count()).toBe(1);
    // The client span's row names what it calls.
    expect(await page.locator('[data-testid="wf-row"] .label').allTextContents()).toContain('GET orders /products');
    await page.screenshot({ path: join(SHOTS, 'trace-incomplete.png') });

    // orders' spans land: its server span ends 1.1 ms after the gateway's call (its clock runs ahead).
    await send('orders', [
      { span: 3, parent: 2, name: 'GET /products', kind: 2, from: 2.6, to: 9.1 },
      { span: 4, parent: 3, name: 'GET', kind: 3, from: 3.5, to: 7, attrs: { 'http.request.method': 'GET', 'peer.service': 'inventory' } },
    ]);
    await expect.poll(() => page.locator('[data-testid="span-count"]').textContent()).toBe('5');
    await expect.poll(() => page.locator('[data-testid="trace-incomplete"]').count()).toBe(0);
    expect(await page.locator('[data-testid="trace-grew"]').textContent()).toMatch(/2 new spans arrived; the trace is complete/);
    expect(await page.locator('[data-testid="wf-orphan"]').count()).toBe(0);
    // inventory's span now sits below orders' client span: one root, five rows, depth 4.
    const levels = await page.locator('[data-testid="wf-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('aria-level'))));
    expect(levels).toEqual([1, 2, 3, 4, 5]);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // Clock skew: orders' spans (and inventory's below them) moved into their callers' windows.
    expect(await page.locator('[data-testid="trace-skew"]').textContent()).toMatch(/3 spans of other services moved/);
    expect(await page.locator('[data-testid="wf-skew"]').count()).toBe(3);
    await page.locator(`[data-testid="wf-row"][data-span-id="${id(3)}"]`).click();
    const skew = await page.locator('[data-testid="detail-skew"]').textContent();
    // Centred in the 7 ms call: 1 + (7 - 6.5) / 2 - 2.6 = -1.35 ms; raw start +2.6 ms, raw end +9.1 ms.
    expect(skew).toMatch(/moved −1\.35 ?ms into its caller's window; raw start \+2\.6 ?ms .* raw end \+9\.1 ?ms/);
    await page.screenshot({ path: join(SHOTS, 'trace-filled-in.png') });
    expect(pageErrors).toEqual([]);
  });
});
