/**
 * Issue 19, item 9 in a browser: a client span's waterfall row names its target (`GET orders
 * /products`), also when the call's server half never arrived (the callee known by its address
 * from an earlier trace); an exception's app frames link to that file and line in the Breakpoints
 * view and its library frames fold; the map has no phantom host node for that late call, a node's
 * "if it fails" text counts the failed calls into it, and a user edge of a caller not yet arrived
 * says so.
 *
 * Spans come in as OTLP/JSON to a hub panel, as the demo's orders service sends them.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourcesResponse, TraceResponse } from '@debugpanel/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createE2eApp } from './src/app.js';
import { E2E_AUTH } from './src/browser.js';
import { startSession, type BrowserSession } from './src/session.js';
import { until } from './src/until.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = join(HERE, 'screenshots');
/** A real file of the app (under the panel's source root), so the Breakpoints view can show it. */
const APP_FILE = join(HERE, 'src', 'app.ts');
const WHOLE = '5bf92f3577b34da6a3ce929d0e0e4731';
const LATE = '5bf92f3577b34da6a3ce929d0e0e4732';
const CONFLICT = '5bf92f3577b34da6a3ce929d0e0e4733';
const EARLY = '5bf92f3577b34da6a3ce929d0e0e4734';
const id = (n: number) => n.toString(16).padStart(16, '0');
const pageErrors: string[] = [];
let s: BrowserSession;

const STACK = [
  'TypeError: Cannot read properties of null (reading \'cents\')',
  `    at priceOf (${APP_FILE}:36:7)`,
  '    at AsyncLocalStorage.run (node:async_hooks:346:14)',
  `    at ContextAPI.with (${join(HERE, '..', 'node_modules', '@opentelemetry', 'api', 'build', 'src', 'api', 'context.js')}:77:42)`,
  `    at async <anonymous> (${APP_FILE}:57:3)`,
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
].join('\n');

interface Sp {
  trace: string;
  span: number;
  parent?: number;
  name: string;
  kind: 2 | 3;
  attrs: Record<string, string | number>;
  error?: boolean;
}

async function send(service: string, spans: Sp[]): Promise<void> {
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const value = (v: string | number) => (typeof v === 'number' ? { intValue: String(v) } : { stringValue: v });
  const body = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'e2e' },
        spans: spans.map((x) => ({
          traceId: x.trace, spanId: id(x.span), ...(x.parent ? { parentSpanId: id(x.parent) } : {}), name: x.name, kind: x.kind,
          startTimeUnixNano: String(t0 + BigInt(x.span) * 100_000n), endTimeUnixNano: String(t0 + 5_000_000n - BigInt(x.span) * 100_000n),
          attributes: Object.entries(x.attrs).map(([key, v]) => ({ key, value: value(v) })),
          status: x.error ? { code: 2, message: 'boom' } : {},
          events: x.error
            ? [{ name: 'exception', timeUnixNano: String(t0 + 1_000_000n), attributes: [
                { key: 'exception.type', value: { stringValue: 'TypeError' } },
                { key: 'exception.message', value: { stringValue: "Cannot read properties of null (reading 'cents')" } },
                { key: 'exception.stacktrace', value: { stringValue: STACK } },
              ] }]
            : [],
        })),
      }],
    }],
  };
  const res = await fetch(`${s.base}/_debug/v1/traces`, { method: 'POST', headers: { ...E2E_AUTH.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

const api = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${s.base}/_debug/${path}`, E2E_AUTH);
  return { status: res.status, body: (await res.json()) as T };
};
const rowLabels = () => s.page.locator('[data-testid="wf-row"] .label').allTextContents();

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  s = await startSession(createE2eApp({ service: 'gateway', panel: { hub: true } }), pageErrors);
  const at3001 = { 'server.address': '127.0.0.1', 'server.port': 3001 };
  // A whole call gateway -> orders, orders failing with a stack.
  await send('gateway', [
    { trace: WHOLE, span: 1, name: 'GET /api/products', kind: 2, attrs: { 'http.request.method': 'GET', 'http.route': '/api/products' } },
    { trace: WHOLE, span: 2, parent: 1, name: 'GET', kind: 3, attrs: { 'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:3001/products?limit=3', ...at3001 } },
  ]);
  await send('orders', [
    { trace: WHOLE, span: 3, parent: 2, name: 'GET /products', kind: 2, attrs: { 'http.request.method': 'GET', 'http.route': '/products', ...at3001 }, error: true },
  ]);
  // A call to the same address whose server half never arrives.
  await send('gateway', [
    { trace: LATE, span: 11, name: 'GET /api/orders', kind: 2, attrs: { 'http.request.method': 'GET', 'http.route': '/api/orders' } },
    { trace: LATE, span: 12, parent: 11, name: 'GET', kind: 3, attrs: { 'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:3001/orders' } },
  ]);
  // orders -> inventory answered 409: the client span fails, the server span does not.
  const at3002 = { 'server.address': '127.0.0.1', 'server.port': 3002 };
  await send('orders', [
    { trace: CONFLICT, span: 21, name: 'POST /orders', kind: 2, attrs: { 'http.request.method': 'POST', 'http.route': '/orders', 'http.response.status_code': 409, ...at3001 } },
    { trace: CONFLICT, span: 22, parent: 21, name: 'POST', kind: 3, attrs: { 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:3002/reserve', 'http.response.status_code': 409, ...at3002 } },
  ]);
  await send('inventory', [
    { trace: CONFLICT, span: 23, parent: 22, name: 'POST /reserve', kind: 2, attrs: { 'http.request.method': 'POST', 'http.route': '/reserve', 'http.response.status_code': 409, ...at3002 } },
    // inventory's half of a trace whose orders spans have not come.
    { trace: EARLY, span: 31, parent: 30, name: 'GET /products', kind: 2, attrs: { 'http.request.method': 'GET', 'http.route': '/products', ...at3002 } },
  ]);
  for (const [t, n] of [[WHOLE, 3], [LATE, 2], [CONFLICT, 3], [EARLY, 1]] as const) {
    await until(`trace ${t} stored`, () => api<TraceResponse>(`api/traces/${t}`), (r) => r.status === 200 && r.body.spans.length === n);
  }
});

afterAll(async () => {
  await s?.close();
});

describe('span rows and stack frames in Chromium', () => {
  it('names a client row by method, callee service and path, also with its server half missing', async () => {
    await s.page.goto(`${s.base}/_debug/#/trace/${WHOLE}`);
    await expect.poll(rowLabels).toEqual(['GET /api/products', 'GET orders /products', 'GET /products']);
    // The span detail says the same, of the span and of a server span's parent.
    await s.page.goto(`${s.base}/_debug/#/trace/${WHOLE}?span=${id(2)}`);
    await expect.poll(() => s.page.locator('[data-testid="span-detail"] h2').textContent()).toBe('GET orders /products');
    await s.page.goto(`${s.base}/_debug/#/trace/${WHOLE}?span=${id(3)}`);
    await expect.poll(() => s.page.locator('[data-testid="span-detail"]').textContent()).toContain('ParentGET orders /products');
    // The trace above taught the view that 127.0.0.1:3001 is orders.
    await s.page.goto(`${s.base}/_debug/#/trace/${LATE}`);
    await expect.poll(rowLabels).toEqual(['GET /api/orders', 'GET orders /orders']);
  });

  it('links app frames to the Breakpoints view and folds library frames', async () => {
    await s.page.goto(`${s.base}/_debug/#/trace/${WHOLE}?span=${id(3)}`);
    const stack = s.page.locator('[data-testid="stack"]');
    await stack.waitFor();
    const links = stack.locator('[data-testid="stack-frame-link"]');
    expect(await links.allTextContents()).toEqual([`${APP_FILE}:36:7`, `${APP_FILE}:57:3`]);
    const folds = stack.locator('[data-testid="stack-fold"]');
    expect(await folds.allTextContents()).toEqual(['▸ 2 library frames', '▸ 1 library frame']);
    expect(await stack.textContent()).not.toContain('ContextAPI.with');
    await folds.first().click();
    expect(await stack.textContent()).toContain('at ContextAPI.with (');
    await s.page.screenshot({ path: join(SHOTS, 'span-stack.png') });

    const { root } = (await api<SourcesResponse>('api/sources')).body;
    const rel = relative(root, APP_FILE).split('\\').join('/');
    await links.first().click();
    // The Breakpoints view makes the absolute path relative to the app's root and shows the line.
    await expect.poll(() => new URL(s.page.url()).hash).toBe(`#/breakpoints?file=${encodeURIComponent(rel)}&line=36`);
    await s.page.waitForSelector('[data-testid="bp-gutter"][data-line="36"]');
    expect(await s.page.locator('.bp-file').textContent()).toBe(rel);
    await s.page.screenshot({ path: join(SHOTS, 'span-stack-breakpoints.png') });
  });

  it('draws the map without a phantom host, with node texts that agree with the edges into them', async () => {
    await s.page.goto(`${s.base}/_debug/#/map?since=all&node=svc:inventory`);
    await s.page.waitForSelector('[data-testid="map-svg"]');
    const nodes = await s.page.locator('[data-testid="map-node"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')).sort());
    // The late call to 127.0.0.1:3001 is a call to orders, not to an external host.
    expect(nodes).toEqual(['svc:gateway', 'svc:inventory', 'svc:orders', 'user']);
    expect(await s.page.locator('[data-testid="map-edge"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-edge')).sort())).toEqual([
      'svc:gateway->svc:orders', 'svc:orders->svc:inventory', 'user->svc:gateway', 'user->svc:inventory', 'user->svc:orders',
    ]);
    const failsWith = s.page.locator('[data-testid="map-fails-with"]');
    await expect.poll(() => failsWith.textContent()).toBe('1 of 2 calls to it failed (50.0 %), from orders; each time the caller recovered (soft), so nothing failed with it.');
    expect(await s.page.locator('[data-testid="map-failed-in"]').textContent()).toMatch(/^1 call to it failed as its callers saw it \(50\.0 %\)/);
    expect(await s.page.locator('[data-testid="map-user-note"]').count()).toBe(1);
    await s.page.goto(`${s.base}/_debug/#/map?since=all&edge=${encodeURIComponent('user->svc:inventory')}`);
    await expect.poll(() => s.page.locator('[data-testid="map-caller-not-seen"]').textContent()).toMatch(/^The one request to inventory named a caller span that was not among the stored spans/);
    await s.page.screenshot({ path: join(SHOTS, 'map-caller-not-seen.png') });
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
