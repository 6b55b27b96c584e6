/**
 * Shared by the route tests (not built): one feature served by a bare node:http server (the
 * panel's auth and middleware are tested in panel.test.ts; a route test checks what its routes
 * answer), and a small shop of stored traces.
 */
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SpanRecord } from '@debugpanel/model';
import type { SpanStore } from '@debugpanel/span-store';
import { RouteTable, type PanelContext, type PanelFeature } from './registry.js';

export async function serveFeature(feature: PanelFeature, ctx: Partial<PanelContext>): Promise<{ base: string; close(): Promise<void> }> {
  const table = new RouteTable(feature(ctx as PanelContext));
  const server = createServer((req, res) => {
    const [path, search = ''] = req.url!.split('?');
    const m = table.match(req.method!, path!);
    if (!m || !('route' in m)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    void m.route.handle({ req, res, params: m.params, query: new URLSearchParams(search) });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A throw-away app root for the breakpoint routes: `src/app.mjs` (a 4-line `price(qty, unit)`),
 * files the source list must leave out (`src/notes.txt`, `.env`, `node_modules/dep`), and
 * `load.cjs`, which imports a file through Node itself (not vitest's module runner) so that V8
 * runs the real file and its breakpoints hit.
 */
export function makeAppRoot(prefix: string): { root: string; loader: string; remove(): void } {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  mkdirSync(path.join(root, 'src'));
  mkdirSync(path.join(root, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(path.join(root, 'src', 'app.mjs'), 'export function price(qty, unit) {\n  const total = qty * unit;\n  return total;\n}\n');
  writeFileSync(path.join(root, 'src', 'notes.txt'), 'not a source file\n');
  writeFileSync(path.join(root, '.env'), 'SECRET=1\n');
  writeFileSync(path.join(root, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
  writeFileSync(path.join(root, 'load.cjs'), 'module.exports = (u) => import(u);\n');
  return { root, loader: path.join(root, 'load.cjs'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

let seq = 0;
export const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

export function span(
  traceId: string, kind: SpanRecord['kind'], service: string, start: number, duration: number,
  parent?: SpanRecord, extra: Partial<SpanRecord> = {},
): SpanRecord {
  return {
    traceId, spanId: hex(++seq, 16), parentSpanId: parent?.spanId, name: `${service} ${kind}`, kind, service,
    startTime: start, duration, status: { code: 'unset' }, attributes: {}, events: [], ...extra,
  };
}

export const T0 = 1_700_000_000_000;

/** gateway GET /orders/:id -> orders -> SQLite, started at `t0`; with `failDb` every span fails. */
export function order(t: number, t0: number, failDb = false): SpanRecord[] {
  const id = hex(t, 32);
  const fail = failDb ? { status: { code: 'error' as const } } : {};
  const gw = span(id, 'server', 'gateway', t0, 100, undefined, { name: 'GET /orders/:id', attributes: { 'http.route': '/orders/:id' }, ...fail });
  const out = span(id, 'client', 'gateway', t0 + 10, 80, gw, fail);
  const ord = span(id, 'server', 'orders', t0 + 12, 75, out, fail);
  const db = span(id, 'client', 'orders', t0 + 20, 50, ord, {
    name: 'SELECT orders', attributes: { 'db.system': 'sqlite', 'db.namespace': 'shop' }, ...fail,
  });
  return [db, ord, out, gw];
}

/** Five orders (the fifth fails in its database call) and one health check. */
export function storeShop(store: SpanStore): void {
  for (let t = 1; t <= 5; t++) store.addMany(order(t, T0 + t * 1000, t === 5));
  store.addMany([span(hex(99, 32), 'server', 'gateway', T0 + 10_000, 5, undefined, { name: 'GET /health', attributes: { 'http.route': '/health' } })]);
}
