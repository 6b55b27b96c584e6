/**
 * Every JSON route answers what `@debugpanel/model` declares for it: real answers of a real panel
 * (an Express app with traffic, hub on), of the breakpoint routes over a throw-away app root and of
 * the profile routes, each checked field by field against its model type (`expectWire`). A route
 * that sends a field its type lacks, or leaves out a required one, fails here. A new route adds
 * its answers to this file.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StreamEventName, TracesResponse } from '@debugpanel/model';
import Database from 'better-sqlite3';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugPanel, type DebugPanelMiddleware } from '../index.js';
import { breakpointRoutes } from './breakpoints.js';
import { profiles } from './profiles.js';
import { makeAppRoot, serveFeature } from './test-helpers.js';
import { expectWire } from './wire-check.js';

const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
let server: Server;
let base: string;
let panel: DebugPanelMiddleware;

/** GETs (or sends) a panel route; answers status and parsed JSON. */
async function call(p: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}/_debug${p}`, { ...init, headers: { ...AUTH, ...(init.headers as Record<string, string>) } });
  return { status: res.status, body: await res.json() };
}

async function wire(p: string, type: string, init?: RequestInit): Promise<unknown> {
  const { status, body } = await call(p, init);
  expect(status, `${p}: ${JSON.stringify(body).slice(0, 200)}`).toBeLessThan(300);
  expectWire(body, type);
  return body;
}

beforeAll(async () => {
  const app = express();
  panel = debugPanel({ service: 'contract', token: TOKEN, hub: true, dataDir: false, chaos: true });
  app.use(panel);
  app.get('/stock/:id', (req, res) => void res.json({ id: req.params.id, stock: 3 }));
  app.get('/orders/:id', async (req, res) => {
    const stock = await (await fetch(`${base}/stock/${req.params.id}`)).json();
    res.json({ id: req.params.id, stock });
  });
  app.get('/logged', (_req, res) => {
    console.warn('contract: a warning inside a request');
    res.end('ok');
  });
  // an N+1 over an in-memory SQLite, for the query insights routes
  const db = new Database(':memory:');
  db.exec('CREATE TABLE stock (sku TEXT, quantity INTEGER)');
  const stockOf = db.prepare('SELECT quantity FROM stock WHERE sku = ?');
  app.get('/skus', (_req, res) => void res.json(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((sku) => stockOf.get(sku) ?? null)));
  app.get('/fail', () => {
    throw new Error('declined');
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const p of ['/orders/1', '/orders/2', '/fail', '/logged', '/skus']) await fetch(base + p);
  // Spans end just after their responses: wait until all three traces are stored.
  for (let i = 0; i < 200; i++) {
    const list = (await call('/api/traces')).body as TracesResponse;
    if (list.traces.filter((t) => t.rootName !== 'GET /stock/:id').length >= 5) break;
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(async () => {
  await panel.panel.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('the panel answers the model types', () => {
  it('query insights: queries, one fingerprint, findings, and a trace with its findings', async () => {
    let findings: { findings: Array<{ fingerprint?: string; exampleTraceIds: string[] }> } = { findings: [] };
    // the detector needs the loop to be a share of its request: on a busy machine one may not be
    for (let i = 0; i < 100 && findings.findings.length === 0; i++) {
      if (i % 10 === 9) await (await fetch(`${base}/skus`)).text();
      findings = (await call('/api/findings')).body as typeof findings;
      if (findings.findings.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    await wire('/api/findings', 'FindingsResponse');
    const list = (await wire('/api/queries?sort=p95', 'QueriesResponse')) as { queries: Array<{ fingerprint: string }> };
    await wire(`/api/queries/${list.queries[0]!.fingerprint}`, 'QueryDetailResponse');
    const withFinding = findings.findings[0]!;
    const trace = (await wire(`/api/traces/${withFinding.exampleTraceIds[0]}`, 'TraceResponse')) as { findings?: unknown[] };
    expect(trace.findings?.length).toBeGreaterThan(0);
    for (const bad of ['/api/queries?sort=nope', '/api/queries/zz', '/api/findings?kind=nope']) {
      const { status, body } = await call(bad);
      expect(status).toBe(400);
      expectWire(body, 'ApiError');
    }
  });

  it('traces, a trace, services, and the errors of bad input', async () => {
    const list = (await wire('/api/traces', 'TracesResponse')) as TracesResponse;
    await wire('/api/traces?limit=1', 'TracesResponse'); // with nextCursor
    await wire('/api/traces?httpStatus=2xx,404', 'TracesResponse');
    const order = list.traces.find((t) => t.route === '/orders/:id')!;
    await wire(`/api/traces/${order.traceId}`, 'TraceResponse');
    await wire('/api/services', 'ServicesResponse');
    for (const bad of ['/api/traces?status=broken', '/api/traces?httpStatus=5x', '/api/traces/nope', `/api/traces/${'1'.repeat(32)}`, '/api/flame']) {
      const { status, body } = await call(bad);
      expect(status).toBeGreaterThanOrEqual(400);
      expectWire(body, 'ApiError');
    }
  });

  it('logs: the list, one trace\'s logs, a page with a cursor', async () => {
    const { logs } = (await wire('/api/logs', 'LogsResponse')) as { logs: Array<{ traceId?: string; body: string }> };
    const logged = logs.find((r) => r.body === 'contract: a warning inside a request')!;
    expect(logged.traceId).toBeTruthy();
    await wire(`/api/logs?traceId=${logged.traceId}&severity=warn`, 'LogsResponse');
    await wire('/api/logs?limit=1', 'LogsResponse');
    const { status, body } = await call('/api/logs?severity=loud');
    expect(status).toBe(400);
    expectWire(body, 'ApiError');
  });

  it('flames, the critical path, the merged flame and the dependency map', async () => {
    const { traces } = (await call('/api/traces?route=/orders/:id')).body as TracesResponse;
    const id = traces[0]!.traceId;
    await wire(`/api/traces/${id}/flame`, 'TraceFlameResponse');
    await wire(`/api/traces/${id}/critical-path`, 'CriticalPathResponse');
    await wire('/api/flame?route=/orders/:id&service=contract&limit=5', 'MergedFlameResponse');
    const deps = (await wire(`/api/dependencies?since=0&until=${Date.now() + 60_000}`, 'DependenciesResponse')) as { edges: unknown[] };
    expect(deps.edges.length).toBeGreaterThan(0);
  });

  it('golden signals: series, process and tables of routes and dependencies', async () => {
    await wire('/api/metrics?window=5m', 'MetricsResponse');
    await wire('/api/metrics?route=/orders/:id&window=60', 'MetricsResponse');
    await wire('/api/metrics?kind=client&window=5m', 'MetricsResponse');
    const rows = (await wire('/api/metrics/table?window=5m', 'MetricsTableResponse')) as { rows: unknown[] };
    expect(rows.rows.length).toBeGreaterThan(0);
    await wire('/api/metrics/table?kind=client', 'MetricsTableResponse');
  });

  it('error groups: the list, a group, and the errors of bad input', async () => {
    // /fail threw: its group arrives once its span ended (just after the response)
    let list: { groups: Array<{ fingerprint: string }> } = { groups: [] };
    for (let i = 0; i < 200 && list.groups.length === 0; i++) {
      list = (await wire('/api/errors', 'ErrorsResponse')) as typeof list;
      if (list.groups.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(list.groups.length).toBeGreaterThan(0);
    await wire('/api/errors?service=contract&limit=5', 'ErrorsResponse');
    await wire(`/api/errors/${list.groups[0]!.fingerprint}`, 'ErrorGroupResponse');
    for (const bad of ['/api/errors?limit=0', '/api/errors/nope', '/api/errors/0123456789abcdef']) {
      const { status, body } = await call(bad);
      expect(status).toBeGreaterThanOrEqual(400);
      expectWire(body, 'ApiError');
    }
  });

  it('insights: incidents and baselines, a cohort comparison', async () => {
    await wire('/api/insights', 'InsightsResponse');
    await wire('/api/insights?state=open&limit=10', 'InsightsResponse');
    const { traces } = (await call('/api/traces?route=/orders/:id')).body as TracesResponse;
    await wire(`/api/compare?a=${traces[0]!.traceId}&b=${traces[1]!.traceId}`, 'CompareResponse');
    await wire(`/api/compare?a=${encodeURIComponent('status=ok')}&b=${encodeURIComponent('status=error')}`, 'CompareResponse');
    for (const bad of ['/api/insights/nope', '/api/insights?state=x', '/api/compare?a=1']) {
      const { status, body } = await call(bad);
      expect(status).toBeGreaterThanOrEqual(400);
      expectWire(body, 'ApiError');
    }
  });

  it('sampling, pinning and stats (hub section included)', async () => {
    await wire('/api/sampling', 'SamplingResponse');
    const { traces } = (await call('/api/traces')).body as TracesResponse;
    await wire(`/api/traces/${traces[0]!.traceId}/pin`, 'PinResponse', { method: 'POST' });
    await wire(`/api/traces/${traces[0]!.traceId}/pin`, 'PinResponse', { method: 'DELETE' });
    const stats = (await wire('/api/stats', 'StatsResponse')) as Record<string, unknown>;
    expect(Object.keys(stats)).toEqual(expect.arrayContaining(['hub', 'ingest', 'metrics', 'sampling', 'breakpoints', 'redaction', 'errors', 'logs', 'auth', 'insights', 'chaos']));
  });

  it('the session and the audit log (the pins above are in it)', async () => {
    await wire('/api/session', 'SessionResponse');
    const audit = (await wire('/api/audit', 'AuditResponse')) as { entries: Array<{ action: string }> };
    expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['POST /api/traces/:traceId/pin']));
    await wire('/api/audit?after=1&limit=1', 'AuditResponse');
  });

  it('chaos: rules, validation errors, experiments with a verdict, the hub pull, deletes', async () => {
    const json = { 'content-type': 'application/json' };
    await wire('/api/chaos/rules', 'ChaosRulesResponse');
    const rule = (await wire('/api/chaos/rules', 'ChaosRule', { method: 'POST', headers: json, body: JSON.stringify({ target: 'outgoing', fault: { kind: 'error', status: 503 }, scope: { service: 'inventory', host: 'db.internal' } }) })) as { id: string };
    const bad = await call('/api/chaos/rules', { method: 'POST', headers: json, body: JSON.stringify({ target: 'nowhere' }) });
    expect(bad.status).toBe(400);
    expectWire(bad.body, 'ChaosValidationError');
    await wire('/api/chaos/rules', 'ChaosRulesResponse');
    await wire('/api/chaos/pull?service=inventory', 'ChaosPullResponse');
    const exp = (await wire('/api/chaos/experiments', 'ChaosExperiment', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'contract', rule: { target: 'incoming', fault: { kind: 'latency', ms: 1 }, scope: { route: '/nowhere' } }, durationMs: 60_000, expect: { suspect: 'x' } }),
    })) as { id: string; rule: { id: string } };
    await wire(`/api/chaos/experiments/${exp.id}`, 'ChaosExperiment');
    await wire(`/api/chaos/rules/${exp.rule.id}`, 'ChaosDeleteResponse', { method: 'DELETE' });
    panel.panel.chaos!.experiments!.decide(exp.id);
    const judged = (await wire(`/api/chaos/experiments/${exp.id}`, 'ChaosExperiment')) as { verdict?: unknown };
    expect(judged.verdict).toBeDefined();
    await wire('/api/chaos/experiments', 'ChaosExperimentsResponse');
    await wire(`/api/chaos/rules/${rule.id}`, 'ChaosDeleteResponse', { method: 'DELETE' });
    await wire('/api/chaos/rules', 'ChaosDeleteResponse', { method: 'DELETE' });
  });

  it('the stream: hello, then a summary per kept trace', async () => {
    const ac = new AbortController();
    const res = await fetch(`${base}/_debug/api/stream`, { headers: AUTH, signal: ac.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const events: Array<{ event: StreamEventName; data: unknown }> = [];
    let text = '';
    let asked = false;
    while (!events.some((e) => e.event === 'trace') || !events.some((e) => e.event === 'log')) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      text += decoder.decode(value);
      for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
        const frame = text.slice(0, end);
        text = text.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event && data) events.push({ event: event as StreamEventName, data: JSON.parse(data) });
      }
      if (!asked && events.some((e) => e.event === 'hello')) {
        asked = true;
        void fetch(`${base}/orders/3`);
        void fetch(`${base}/logged`);
      }
    }
    ac.abort();
    expectWire(events.find((e) => e.event === 'hello')!.data, 'StreamHello');
    expectWire(events.find((e) => e.event === 'trace')!.data, 'TraceSummary');
    const batch = events.find((e) => e.event === 'log')!.data as unknown[];
    expect(batch.length).toBeGreaterThan(0);
    for (const record of batch) expectWire(record, 'LogRecord');
  });

  it('OTLP ingest: an ExportTraceServiceResponse, partial success, and a Status for bad input', async () => {
    const span = (spanId: string) => ({ traceId: '5b8efff798038103d269b633813fc60c', spanId, name: 'remote', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' });
    const request = (spans: object[]) => ({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'remote' } }] }, scopeSpans: [{ spans }] }] });
    const post = (body: unknown, type = 'application/json') => call('/v1/traces', { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });
    const ok = await post(request([span('eee19b7ec3c1b174')]));
    expect(ok.status).toBe(200);
    expectWire(ok.body, 'OtlpExportResponse');
    const partial = await post(request([span('eee19b7ec3c1b175'), span('not-an-id')]));
    expect(partial.body).toMatchObject({ partialSuccess: { rejectedSpans: '1' } });
    expectWire(partial.body, 'OtlpExportResponse');
    const bad = await post({}, 'text/plain');
    expect(bad.status).toBe(415);
    expectWire(bad.body, 'OtlpErrorResponse');
  });
});

describe('the breakpoint and profile routes answer the model types', () => {
  const app = makeAppRoot('dp-contract-');
  let bp: Awaited<ReturnType<typeof serveFeature>>;
  let prof: Awaited<ReturnType<typeof serveFeature>>;
  beforeAll(async () => {
    bp = await serveFeature(() => breakpointRoutes(app.root), {});
    prof = await serveFeature(profiles, {});
  });
  afterAll(async () => {
    await bp.close();
    await prof.close();
    app.remove();
  });
  const get = async (url: string, type: string) => {
    const res = await fetch(url);
    expect(res.status, url).toBe(200);
    const body = await res.json();
    expectWire(body, type);
    return body as Record<string, unknown>;
  };
  const post = async (url: string, body: unknown, type: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, url).toBe(201);
    const json = await res.json();
    expectWire(json, type);
    return json as { id: string };
  };

  it('breakpoints, snapshots, logpoints and sources', async () => {
    const snap = await post(`${bp.base}/api/breakpoints`, { file: 'src/app.mjs', line: 3, watch: ['qty + 1', 'nope.x'], condition: 'qty > 0' }, 'Breakpoint');
    const log = await post(`${bp.base}/api/breakpoints`, { file: 'src/app.mjs', line: 2, message: 'qty={qty}' }, 'Breakpoint');
    const mod = (await createRequire(import.meta.url)(app.loader)(pathToFileURL(path.join(app.root, 'src', 'app.mjs')).href)) as { price(q: number, u: number): number };
    expect(mod.price(3, 4)).toBe(12);
    await get(`${bp.base}/api/breakpoints`, 'BreakpointsResponse');
    const { snapshots } = (await get(`${bp.base}/api/snapshots?breakpointId=${snap.id}`, 'SnapshotsResponse')) as { snapshots: Array<{ id: string }> };
    expect(snapshots).toHaveLength(1);
    await get(`${bp.base}/api/snapshots/${snapshots[0]!.id}`, 'Snapshot');
    const { logs } = (await get(`${bp.base}/api/logpoints?breakpointId=${log.id}`, 'LogpointsResponse')) as { logs: unknown[] };
    expect(logs).toHaveLength(1);
    await get(`${bp.base}/api/sources`, 'SourcesResponse');
    await get(`${bp.base}/api/sources/file?path=src/app.mjs`, 'SourceFileResponse');
  });

  it('profiles: a recording, the list, its flame and the .cpuprofile download', async () => {
    const info = await post(`${prof.base}/api/profiles`, { seconds: 0.1 }, 'ProfileInfo');
    await get(`${prof.base}/api/profiles`, 'ProfilesResponse');
    await get(`${prof.base}/api/profiles/${info.id}/flame`, 'ProfileFlameResponse');
    await get(`${prof.base}/api/profiles/${info.id}`, 'CpuProfile');
  });
});
