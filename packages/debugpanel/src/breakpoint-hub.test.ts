/**
 * Breakpoints across services, through real processes: a hub (gateway) and a service (orders,
 * `sendTo` the hub) run from one app folder (test-fixtures/bp-app). A breakpoint set in the hub's
 * panel on a file only orders runs travels to orders over its hub connection, is set there by
 * orders' own agent, and its state and snapshot come back to the hub. What the hub refuses, and
 * what orders refuses even when a (fake) hub sends it, are tested too.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor, type AuditResponse, type Breakpoint, type BreakpointLinkStats, type BreakpointSyncRequest, type BreakpointsResponse, type LogpointsResponse, type Snapshot, type SnapshotsResponse, type SourcesResponse } from '@debugpanel/model';
import { BreakpointHub } from './breakpoint-hub.js';

const app = fileURLToPath(new URL('../test-fixtures/bp-app/', import.meta.url));
const TOKEN = 'bp-hub-token-0123456789abcdef';
const VIEWER = 'bp-hub-viewer-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const children: ChildProcess[] = [];
function start(entry: string, env: Record<string, string>): Promise<string> {
  const child = fork(`${app}${entry}`, [], { cwd: app, env: { ...process.env, TOKEN, ...env }, stdio: 'ignore' });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(`http://127.0.0.1:${(m as { port: number }).port}`));
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}`)));
  });
}
afterAll(() => children.forEach((c) => c.kill()));

const get = async <T,>(url: string, headers: Record<string, string> = AUTH): Promise<T> => {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};
const setBp = (base: string, body: unknown, headers: Record<string, string> = JSON_AUTH) => fetch(`${base}/_debug/api/breakpoints`, { method: 'POST', headers, body: JSON.stringify(body) });

describe('breakpoints across services through a real hub', () => {
  let hub: string;
  let orders: string;
  beforeAll(async () => {
    hub = await start('gateway.mjs', { HUB: '1', VIEWER });
    orders = await start('orders.mjs', { SEND_TO: `${hub}/_debug`, SEND_TOKEN: TOKEN, PULL_MS: '500' });
  }, 30_000);

  it("lists every service's files with the services that run them, without tests or source-mapped build output", async () => {
    const list = await until('orders to send its source list', async () => {
      const s = await get<SourcesResponse>(`${hub}/_debug/api/sources`);
      return s.services.includes('orders') && s.waiting.length === 0 ? s : undefined;
    });
    const runs = Object.fromEntries(list.entries.map((e) => [e.path, [...e.services].sort()]));
    expect(runs['src/price.mjs']).toEqual(['orders']);
    expect(runs['src/greet.mjs']).toEqual(['gateway']);
    expect(runs['panel.mjs']).toEqual(['gateway', 'orders']);
    expect(runs['src/unused.mjs']).toEqual([]);
    expect(runs['src/main.ts']).toEqual([]);
    expect(runs['build/orphan.js']).toEqual([]); // build output without an original stays
    expect(list.files).not.toContain('src/price.test.mjs');
    expect(list.files).not.toContain('build/main.js'); // its source map names src/main.ts, which is listed
    expect(list.files.some((f) => f.includes('node_modules'))).toBe(false);
    expect(list.hidden).toBeGreaterThanOrEqual(2);
    expect(list.services[0]).toBe('gateway');
  });

  it('sends a breakpoint to orders, which sets it; its state and snapshot come back to the hub', async () => {
    const res = await setBp(hub, { file: 'src/price.mjs', line: 3, watch: ['qty + 1'], service: 'orders' });
    expect(res.status).toBe(201);
    const bp = (await res.json()) as Breakpoint;
    expect(bp).toMatchObject({ service: 'orders', state: 'pending', delivery: 'sent', file: 'src/price.mjs', line: 3 });
    // The hub itself never arms it: the gateway's own agent holds nothing.
    const active = await until('orders to report the breakpoint active', async () => {
      const l = await get<BreakpointsResponse>(`${hub}/_debug/api/breakpoints`);
      const b = l.breakpoints.find((x) => x.id === bp.id);
      return b?.state === 'active' ? b : undefined;
    });
    expect(active).toMatchObject({ delivery: 'installed', service: 'orders' });
    expect((await get<BreakpointsResponse>(`${hub}/_debug/api/breakpoints`)).stats.armed).toBe(0);
    // orders holds it as its own, set by its agent, and audited
    const own = await get<BreakpointsResponse>(`${orders}/_debug/api/breakpoints`);
    expect(own.breakpoints).toMatchObject([{ file: `${app}src/price.mjs`, line: 3, state: 'active', service: 'orders' }]);
    const audit = await get<AuditResponse>(`${orders}/_debug/api/audit`);
    expect(audit.entries.some((e) => e.action === 'breakpoint set from hub' && e.target.includes(bp.id))).toBe(true);

    expect((await (await fetch(`${orders}/price?qty=3`)).json()).total).toBe(12);
    const hit = await until('the hit to reach the hub', async () => {
      const l = await get<BreakpointsResponse>(`${hub}/_debug/api/breakpoints`);
      const b = l.breakpoints.find((x) => x.id === bp.id);
      return b?.state === 'hit' ? b : undefined;
    });
    expect(hit.hits).toBe(1);
    const snaps = await until('the snapshot to reach the hub', async () => {
      const s = await get<SnapshotsResponse>(`${hub}/_debug/api/snapshots?breakpointId=${bp.id}`);
      return s.snapshots.length ? s.snapshots : undefined;
    });
    const one = await get<Snapshot>(`${hub}/_debug/api/snapshots/${snaps[0]!.id}`);
    expect(one).toMatchObject({ service: 'orders', breakpointId: bp.id, line: 3 });
    expect(one.captureUs).toBeGreaterThan(0);
    // The watch's value, or (on a machine so loaded that the 50 ms evaluation limit cut it) that reason.
    const w = one.watches[0]!;
    expect(w.expression).toBe('qty + 1');
    if (w.value) expect(w.value.value).toBe(4);
    else expect(w.error).toMatch(/^timed out after 50 ms$/);
    const locals = one.frames[0]!.scopes![0]!.variables;
    expect(locals.find((v) => v.name === 'qty')?.value).toBe(3);
    // redacted in orders, and again in the hub
    expect(JSON.stringify(one)).not.toContain('k-secret-123456');
  });

  it('brings logpoint lines back, and a delete on the hub removes the breakpoint in orders', async () => {
    const res = await setBp(hub, { file: 'src/price.mjs', line: 2, kind: 'logpoint', message: 'qty is {qty}', service: 'orders' });
    expect(res.status).toBe(201);
    const bp = (await res.json()) as Breakpoint;
    await until('the logpoint to be armed in orders', async () => ((await get<BreakpointsResponse>(`${orders}/_debug/api/breakpoints`)).breakpoints.some((b) => b.kind === 'logpoint' && b.state === 'active') ? true : undefined));
    await fetch(`${orders}/price?qty=7`);
    const lines = await until('the line to reach the hub', async () => {
      const l = await get<LogpointsResponse>(`${hub}/_debug/api/logpoints?breakpointId=${bp.id}`);
      return l.logs.length ? l.logs : undefined;
    });
    expect(lines[0]).toMatchObject({ message: 'qty is 7', service: 'orders', breakpointId: bp.id });
    expect((await get<LogpointsResponse>(`${hub}/_debug/api/logpoints?hubAfter=${lines[0]!.seq}`)).logs.filter((l) => l.service === 'orders')).toEqual([]);

    expect((await fetch(`${hub}/_debug/api/breakpoints/${bp.id}`, { method: 'DELETE', headers: AUTH })).status).toBe(204);
    await until('orders to drop it', async () => ((await get<BreakpointsResponse>(`${orders}/_debug/api/breakpoints`)).breakpoints.some((b) => b.kind === 'logpoint') ? undefined : true));
    const stats = await get<{ breakpointLink: BreakpointLinkStats }>(`${orders}/_debug/api/stats`);
    expect(stats.breakpointLink).toMatchObject({ syncErrors: 0, installed: 2, refused: 0, snapshotsSent: 1, logsSent: 1 });
  });

  it('refuses on the hub what the local API refuses, with the same roles', async () => {
    const refused = async (body: unknown, status: number, text: RegExp, headers = JSON_AUTH) => {
      const res = await setBp(hub, body, headers);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(text);
    };
    await refused({ file: '../../etc/passwd.js', line: 1, service: 'orders' }, 400, /relative to the service's root/);
    await refused({ file: '.env.js', line: 1, service: 'orders' }, 400, /hidden folders/);
    await refused({ file: 'src/price.mjs', line: 2, condition: 'globalThis.hacked = 1', service: 'orders' }, 400, /condition/);
    await refused({ file: 'src/price.mjs', line: 2, kind: 'logpoint', message: '{process.exit(1)}', service: 'orders' }, 400, /refused|not allowed/);
    await refused({ file: 'src/price.mjs', line: 2, evil: 1, service: 'orders' }, 400, /unknown field "evil"/);
    await refused({ file: 'src/price.mjs', line: 2, service: 'billing' }, 404, /no service "billing"/);
    // a viewer may not set one, nor sync as a service; a cross-site page may not either
    await refused({ file: 'src/price.mjs', line: 2, service: 'orders' }, 403, /debugger/, { authorization: `Bearer ${VIEWER}`, 'content-type': 'application/json' });
    const sync = await fetch(`${hub}/_debug/api/breakpoints/sync`, { method: 'POST', headers: { authorization: `Bearer ${VIEWER}`, 'content-type': 'application/json' }, body: JSON.stringify({ service: 'orders', root: app, states: [], snapshots: [], logs: [], dropped: { snapshots: 0, logs: 0 } }) });
    expect(sync.status).toBe(403);
    const cross = await setBp(hub, { file: 'src/price.mjs', line: 2, service: 'orders' }, { ...JSON_AUTH, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(cross.status).toBe(403);
    // a service that is no hub says so
    const res = await setBp(orders, { file: 'src/price.mjs', line: 2, service: 'gateway' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/is no hub/);
  });
});

describe('a service refuses what a hub sends when its own API would', () => {
  let fake: Server;
  const seen: BreakpointSyncRequest[] = [];
  afterAll(() => fake?.close());

  it('checks every breakpoint from the wire with its own agent, reports the refusals and audits them', async () => {
    // A hub that sends what a real hub would never accept: a file outside the root, a condition
    // with a side effect, a watch that calls a function, a field the agent does not know.
    const evil = [
      { id: 'bp_aaaaaaaaaaaa', input: { file: '../../../etc/passwd', line: 1 }, createdAt: 0 },
      { id: 'bp_bbbbbbbbbbbb', input: { file: 'src/price.mjs', line: 3, condition: 'globalThis.pwned = true' }, createdAt: 0 },
      { id: 'bp_cccccccccccc', input: { file: 'src/price.mjs', line: 3, watch: ['process.exit(1)'] }, createdAt: 0 },
      { id: 'bp_dddddddddddd', input: { file: 'src/price.mjs', line: 3, service: 'orders' }, createdAt: 0 },
      { id: 'bp_eeeeeeeeeeee', input: { file: 'src/price.mjs', line: 3, condition: 5 }, createdAt: 0 },
    ];
    fake = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/_debug/api/breakpoints/sync') seen.push(JSON.parse(body) as BreakpointSyncRequest);
        res.setHeader('content-type', 'application/json');
        res.end(req.url === '/_debug/api/breakpoints/sync' ? JSON.stringify({ breakpoints: evil, wantSources: false, pollMs: 500 }) : '{}');
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    const port = (fake.address() as { port: number }).port;
    const svc = await start('orders.mjs', { SEND_TO: `http://127.0.0.1:${port}/_debug`, SEND_TOKEN: TOKEN, PULL_MS: '500' });

    const report = await until('a sync that reports the refusals', async () => {
      const last = seen.at(-1);
      return last && last.states.length === 5 ? last : undefined;
    });
    const why = Object.fromEntries(report.states.map((s) => [s.id, s.error ?? '']));
    expect(why['bp_aaaaaaaaaaaa']).toMatch(/under the app's root/);
    expect(why['bp_bbbbbbbbbbbb']).toMatch(/condition/);
    expect(why['bp_cccccccccccc']).toMatch(/watch/);
    expect(why['bp_dddddddddddd']).toMatch(/unknown field "service"/);
    expect(why['bp_eeeeeeeeeeee']).not.toBe('');
    expect(report.states.every((s) => s.breakpoint === undefined)).toBe(true);
    expect((await get<BreakpointsResponse>(`${svc}/_debug/api/breakpoints`)).breakpoints).toEqual([]);
    const stats = await get<{ breakpointLink: BreakpointLinkStats }>(`${svc}/_debug/api/stats`);
    expect(stats.breakpointLink).toMatchObject({ installed: 0, refused: 5, syncErrors: 0 });
    const audit = await get<AuditResponse>(`${svc}/_debug/api/audit`);
    expect(audit.entries.filter((e) => e.action === 'breakpoint from hub refused')).toHaveLength(5);
    // and the line runs untouched
    expect((await (await fetch(`${svc}/price?qty=2`)).json()).total).toBe(8);
  }, 30_000);
});

describe('BreakpointHub (bounds and trust)', () => {
  const sync = (h: BreakpointHub, body: Partial<BreakpointSyncRequest>) => h.sync({ root: '/app', states: [], snapshots: [], logs: [], dropped: { snapshots: 0, logs: 0 }, ...body });
  const snap = (id: string, breakpointId: string, extra: Partial<Snapshot> = {}): Snapshot => ({
    id, breakpointId, time: 1, file: '/app/src/a.ts', line: 2, frames: [], watches: [], truncated: false, bytes: 10, captureUs: 900, ...extra,
  });

  it('takes reports only on the breakpoints it gave that service, and redacts what arrives', () => {
    const h = new BreakpointHub({ pollMs: 500, redactor: new Redactor() });
    sync(h, { service: 'orders' });
    sync(h, { service: 'inventory' });
    const bp = h.add('orders', { file: 'src/a.ts', line: 2 });
    // inventory may not report on (or forge snapshots of) orders' breakpoint
    sync(h, { service: 'inventory', states: [{ id: bp.id, breakpoint: { ...bp, state: 'hit', hits: 9 } }], snapshots: [snap('snap_x', bp.id)] });
    expect(h.get(bp.id)).toMatchObject({ state: 'pending', hits: 0 });
    expect(h.snapshots()).toEqual([]);
    const answer = sync(h, {
      service: 'orders',
      states: [{ id: bp.id, breakpoint: { ...bp, state: 'hit', hits: 1 } }],
      snapshots: [snap('snap_1', bp.id, { frames: [{ function: 'f', file: '/app/src/a.ts', line: 2, column: 1, scopes: [{ type: 'local', variables: [{ name: 'password', type: 'string', value: 'hunter2-long' }, { name: 'h', type: 'string', value: 'Bearer abc.def.ghi' }] }] }] })],
    });
    expect(answer.breakpoints).toMatchObject([{ id: bp.id, input: { file: 'src/a.ts', line: 2, kind: 'snapshot' } }]);
    expect(h.get(bp.id)).toMatchObject({ state: 'hit', hits: 1, delivery: 'installed' });
    const vars = h.snapshot('snap_1')!.frames[0]!.scopes![0]!.variables;
    expect(vars[0]).toMatchObject({ value: '[REDACTED]', note: 'redacted' });
    expect(String(vars[1]!.value)).not.toContain('abc.def.ghi');
  });

  it('bounds snapshots, log lines and breakpoints per service, and counts what it dropped', () => {
    const h = new BreakpointHub({ pollMs: 500, maxSnapshots: 3, maxLogs: 5, maxPerService: 2 });
    sync(h, { service: 'orders' });
    const bp = h.add('orders', { file: 'src/a.ts', line: 2, kind: 'logpoint', message: 'x', maxHits: 100 });
    h.add('orders', { file: 'src/a.ts', line: 3 });
    expect(() => h.add('orders', { file: 'src/a.ts', line: 4 })).toThrow(/at most 2/);
    expect(() => h.add('orders', { file: 'src/a.ts', line: 3 })).toThrow(/already has breakpoint/);
    sync(h, { service: 'orders', snapshots: [1, 2, 3, 4, 5].map((i) => snap(`snap_${i}`, bp.id)), logs: Array.from({ length: 8 }, (_, i) => ({ seq: i, breakpointId: bp.id, time: i, message: `m${i}` })), dropped: { snapshots: 2, logs: 0 } });
    expect(h.snapshots().map((s) => s.id)).toEqual(['snap_5', 'snap_4', 'snap_3']);
    expect(h.logs().map((l) => l.message)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
    expect(h.stats()).toMatchObject({ snapshotsDropped: 2 + 2, logsDropped: 3, services: 1, breakpoints: 2 });
    expect(() => h.sync({ service: 'orders', root: '/app', snapshots: Array.from({ length: 21 }, (_, i) => snap(`s${i}`, bp.id)) })).toThrow(/at most 20/);
    expect(() => h.sync({ service: '../../x y', root: '/app' })).toThrow(/service must be/);
    expect(h.stats().refused).toBe(2);
  });
});
