/**
 * Chaos through a real panel: rules set over the API hit an Express app's incoming requests, its
 * outgoing fetch and node:http calls and its SQLite statements; spans carry the rule; header
 * scope, production refusal, the same-origin check and the audit events.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResponse, ChaosExperiment, ChaosRule, ChaosRulesResponse, ChaosValidationError, SpanRecord, TraceResponse, TracesResponse } from '@debugpanel/model';
import type { ChaosEvent } from '@debugpanel/chaos';
import { debugPanel, type DebugPanelMiddleware } from '../index.js';
import { resolveOptions } from '../options.js';

const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };

let server: Server;
let base: string;
let upstream: Server;
let upstreamUrl: string;
let upstreamHits = 0;
let panel: DebugPanelMiddleware;
let db: Database.Database;
let dir: string;
const events: ChaosEvent[] = [];

async function api<T>(p: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/_debug${p}`, { ...init, headers: { ...AUTH, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
  return { status: res.status, body: (await res.json()) as T };
}
const addRule = (rule: object) => api<ChaosRule>('/api/chaos/rules', { method: 'POST', body: JSON.stringify(rule) });

function get(p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; ms: number } | { error: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get(`${base}${p}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0 }));
    });
    req.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
  });
}

/** The stored trace of a request, once its server span is in. */
async function traceOf(traceId: string): Promise<SpanRecord[]> {
  for (let i = 0; i < 200; i++) {
    const r = await api<TraceResponse>(`/api/traces/${traceId}`);
    if (r.status === 200 && r.body.spans.some((s) => s.kind === 'server')) return r.body.spans;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`trace ${traceId} never arrived`);
}

async function faultedTrace(ruleId: string): Promise<SpanRecord[]> {
  for (let i = 0; i < 200; i++) {
    const r = await api<TracesResponse>(`/api/traces?attr=${encodeURIComponent(`debugpanel.chaos.rule=${ruleId}`)}&limit=1`);
    const t = r.body.traces[0];
    if (t) return traceOf(t.traceId);
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no trace carries ${ruleId}`);
}

async function latestTrace(route: string): Promise<SpanRecord[]> {
  for (let i = 0; i < 200; i++) {
    const r = await api<TracesResponse>(`/api/traces?route=${encodeURIComponent(route)}&limit=1`);
    const t = r.body.traces[0];
    if (t) return traceOf(t.traceId);
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no trace of ${route}`);
}

beforeAll(async () => {
  upstream = http.createServer((_req, res) => {
    upstreamHits++;
    res.setHeader('content-type', 'application/json');
    res.end('{"stock":3}');
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-chaos-'));
  const app = express();
  panel = debugPanel({ service: 'shop', token: TOKEN, chaos: true });
  app.use(panel);
  db = new Database(path.join(dir, 'shop.db'));
  db.exec('CREATE TABLE stock (id INTEGER PRIMARY KEY, n INTEGER)');
  db.prepare('INSERT INTO stock VALUES (1, 7)').run();
  const readStock = db.prepare('SELECT n FROM stock WHERE id = ?');
  app.get('/hello', (_req, res) => void res.send('hi'));
  app.get('/via-fetch', async (_req, res) => {
    try {
      const r = await fetch(`${upstreamUrl}/stock/1`);
      res.status(r.ok ? 200 : 502).json({ upstream: r.status, body: await r.json() });
    } catch (err) {
      res.status(502).json({ error: String((err as Error & { cause?: Error }).cause?.message ?? err) });
    }
  });
  app.get('/via-http', (_req, res) => {
    http
      .get(`${upstreamUrl}/stock/1`, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => void res.status(r.statusCode === 200 ? 200 : 502).json({ upstream: r.statusCode, body }));
      })
      .on('error', (err: NodeJS.ErrnoException) => void res.status(502).json({ error: err.code }));
  });
  app.get('/stock', (_req, res, next) => {
    try {
      res.json(readStock.get(1));
    } catch (err) {
      next(err);
    }
  });
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).json({ error: err.message }));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  panel.panel.chaos!.onEvent = (e) => events.push(e);
});

afterAll(async () => {
  await panel.panel.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  for (const s of [server, upstream]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('chaos rules over the API', () => {
  it('lists none at first, and reports chaos as on', async () => {
    const r = await api<ChaosRulesResponse>('/api/chaos/rules');
    expect(r.body).toEqual({ enabled: true, service: 'shop', rules: [] });
  });

  it('refuses a bad rule with one message per field', async () => {
    const r = await api<ChaosValidationError>('/api/chaos/rules', { method: 'POST', body: JSON.stringify({ target: 'incoming', fault: { kind: 'reset' }, rate: 0 }) });
    expect(r.status).toBe(400);
    expect(r.body.issues.map((i) => i.field).sort()).toEqual(['fault.kind', 'rate']);
    expect(r.body.error).toContain('2 problems');
    const json = await fetch(`${base}/_debug/api/chaos/rules`, { method: 'POST', headers: AUTH, body: '{nope' });
    expect(json.status).toBe(400);
  });

  it('refuses a cross-site POST', async () => {
    const r = await fetch(`${base}/_debug/api/chaos/rules`, {
      method: 'POST',
      headers: { ...AUTH, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'incoming', fault: { kind: 'abort' } }),
    });
    expect(r.status).toBe(403);
  });

  it('incoming error: answered by the panel with the status; the span carries the rule and an event', async () => {
    const { body: rule } = await addRule({ target: 'incoming', fault: { kind: 'error', status: 503 }, scope: { route: '/hello' } });
    const r = await get('/hello');
    expect(r).toMatchObject({ status: 503 });
    expect(JSON.parse((r as { body: string }).body)).toMatchObject({ rule: rule.id });
    // answered before Express routed it, so it has no route: found by the rule's attribute
    const spans = await faultedTrace(rule.id);
    const server = spans.find((s) => s.kind === 'server')!;
    expect(server.attributes['debugpanel.chaos.rule']).toBe(rule.id);
    expect(server.events.map((e) => e.name)).toContain('debugpanel.chaos.fault');
    expect(server.status.code).toBe('error');
    expect((await get('/via-fetch')) as { status: number }).toMatchObject({ status: 200 }); // other routes untouched
    await api(`/api/chaos/rules/${rule.id}`, { method: 'DELETE' });
  });

  it('incoming latency and abort', async () => {
    const { body: slow } = await addRule({ target: 'incoming', fault: { kind: 'latency', ms: 150 }, scope: { route: '/hello' } });
    const r = (await get('/hello')) as { status: number; ms: number };
    expect(r.status).toBe(200);
    expect(r.ms).toBeGreaterThanOrEqual(145);
    await api(`/api/chaos/rules/${slow.id}`, { method: 'DELETE' });
    const { body: abort } = await addRule({ target: 'incoming', fault: { kind: 'abort' }, scope: { route: '/hello' } });
    expect(await get('/hello')).toEqual({ error: 'ECONNRESET' });
    await api(`/api/chaos/rules/${abort.id}`, { method: 'DELETE' });
    expect(await get('/hello')).toMatchObject({ status: 200, body: 'hi' });
  });

  it('outgoing fetch and node:http by host: error status and reset; the client span carries the rule', async () => {
    const host = new URL(upstreamUrl).host;
    const { body: rule } = await addRule({ target: 'outgoing', fault: { kind: 'error', status: 500 }, scope: { host } });
    const hits = upstreamHits;
    const viaFetch = (await get('/via-fetch')) as { status: number; body: string };
    expect(JSON.parse(viaFetch.body)).toMatchObject({ upstream: 500 });
    const viaHttp = (await get('/via-http')) as { status: number; body: string };
    expect(JSON.parse(viaHttp.body)).toMatchObject({ upstream: 500 });
    expect(upstreamHits).toBe(hits);
    const spans = await latestTrace('/via-http');
    const client = spans.find((s) => s.kind === 'client')!;
    expect(client.attributes).toMatchObject({ 'debugpanel.chaos.rule': rule.id, 'http.response.status_code': 500 });
    await api('/api/chaos/rules', { method: 'DELETE' });

    await addRule({ target: 'outgoing', fault: { kind: 'reset' }, scope: { host, route: '/stock/:id' } });
    expect(JSON.parse(((await get('/via-http')) as { body: string }).body)).toEqual({ error: 'ECONNRESET' });
    expect(JSON.parse(((await get('/via-fetch')) as { body: string }).body).error).toContain('ECONNRESET');
    await api('/api/chaos/rules', { method: 'DELETE' });
    expect(JSON.parse(((await get('/via-fetch')) as { body: string }).body)).toMatchObject({ upstream: 200 });
  });

  it('database statements by text: an error the route reports, marked on the SQLite span', async () => {
    const { body: rule } = await addRule({ target: 'db', fault: { kind: 'error' }, scope: { statement: 'SELECT n FROM stock' } });
    const r = (await get('/stock')) as { status: number; body: string };
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body).error).toBe('database error (injected by debugpanel chaos)');
    const spans = await latestTrace('/stock');
    const sql = spans.find((s) => s.attributes['db.system'] === 'sqlite')!;
    expect(sql.attributes['debugpanel.chaos.rule']).toBe(rule.id);
    expect(sql.status.code).toBe('error');
    // thrown as better-sqlite3 would: a SqliteError with its code
    expect(sql.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({ 'exception.type': expect.stringMatching(/SqliteError|SQLITE_IOERR/) });
    await api('/api/chaos/rules', { method: 'DELETE' });
    expect(await get('/stock')).toMatchObject({ status: 200 });
  });

  it('header scope: only requests carrying x-chaos: 1, also for their outgoing calls', async () => {
    const host = new URL(upstreamUrl).host;
    await addRule({ target: 'outgoing', fault: { kind: 'error', status: 503 }, scope: { host, header: 'x-chaos: 1' } });
    await addRule({ target: 'db', fault: { kind: 'error' }, scope: { header: 'x-chaos: 1' } });
    expect(JSON.parse(((await get('/via-fetch')) as { body: string }).body)).toMatchObject({ upstream: 200 });
    expect(JSON.parse(((await get('/via-fetch', { 'x-chaos': '1' })) as { body: string }).body)).toMatchObject({ upstream: 503 });
    expect(await get('/stock')).toMatchObject({ status: 200 });
    expect(await get('/stock', { 'x-chaos': '1' })).toMatchObject({ status: 500 });
    await api('/api/chaos/rules', { method: 'DELETE' });
  });

  it('DELETE of all rules is one request; every start and stop is an audit event', async () => {
    events.length = 0;
    await addRule({ target: 'incoming', fault: { kind: 'latency', ms: 5 }, scope: { route: '/nowhere' } });
    await addRule({ target: 'db', fault: { kind: 'latency', ms: 5 }, scope: { statement: 'nothing like this' } });
    expect((await api<ChaosRulesResponse>('/api/chaos/rules')).body.rules).toHaveLength(2);
    expect((await api('/api/chaos/rules', { method: 'DELETE' })).body).toEqual({ deleted: 2 });
    expect((await api<ChaosRulesResponse>('/api/chaos/rules')).body.rules).toEqual([]);
    expect(events.map((e) => e.action)).toEqual(['rule.created', 'rule.created', 'rule.deleted', 'rule.deleted', 'rules.cleared']);
    expect(events[0]!.actor).toBe('debugger@127.0.0.1');
  });

  it('every start and stop is in the panel\'s shared audit log (/api/audit): by the caller, or by the panel for an expiry', async () => {
    const after = (await api<AuditResponse>('/api/audit')).body.entries.at(-1)?.seq ?? 0;
    const { body: rule } = await addRule({ name: 'short', target: 'incoming', fault: { kind: 'latency', ms: 5 }, scope: { route: '/nowhere' }, durationMs: 1000 });
    await new Promise((r) => setTimeout(r, 1200));
    const entries = (await api<AuditResponse>(`/api/audit?after=${after}`)).body.entries;
    const chaos = entries.filter((e) => e.action.startsWith('chaos '));
    expect(chaos.map((e) => e.action)).toEqual(['chaos rule.created', 'chaos rule.expired']);
    expect(chaos[0]).toMatchObject({ role: 'debugger', via: 'bearer', tokenId: expect.stringMatching(/^\w+/), ip: '127.0.0.1', target: expect.stringContaining(`rule ${rule.id} "short" in shop: incoming latency 5 ms`) });
    expect(chaos[1]).toMatchObject({ via: 'panel', tokenId: '', ip: '', target: expect.stringContaining(`rule ${rule.id} "short"`) });
    // the request itself is audited too, as every mutation is
    expect(entries.some((e) => e.action === 'POST /api/chaos/rules' && e.status === 201)).toBe(true);
  });

  it('an experiment: starts its rule, lists it running, and its verdict after it is stopped', async () => {
    // the audit log outlives the process (its file in the data directory): only what this test adds
    const after = (await api<AuditResponse>('/api/audit')).body.entries.at(-1)?.seq ?? 0;
    const r = await api<ChaosExperiment>('/api/chaos/experiments', {
      method: 'POST',
      body: JSON.stringify({ name: 'stock read fails', rule: { target: 'db', fault: { kind: 'error' }, scope: { statement: 'SELECT n FROM stock' } }, durationMs: 60_000 }),
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'running', name: 'stock read fails', rule: { experimentId: r.body.id, durationMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect(await get('/stock')).toMatchObject({ status: 500 });
    await latestTrace('/stock');
    await api(`/api/chaos/rules/${r.body.rule.id}`, { method: 'DELETE' });
    const stopped = (await api<ChaosExperiment>(`/api/chaos/experiments/${r.body.id}`)).body;
    expect(stopped.status).toBe('stopped');
    // judged at once here instead of after the settle time
    const verdict = panel.panel.chaos!.experiments!.decide(r.body.id)!;
    // the insights engine is on (it is by default) but in warm-up: nothing fired
    expect(verdict).toMatchObject({ injected: 3, faultedTraces: 3, caught: false, incident: null });
    expect(verdict.summary).toMatch(/^Not caught: no alert fired; 3 faults in 3 traces\./);
    const audit = (await api<AuditResponse>(`/api/audit?after=${after}`)).body.entries.filter((e) => e.action.startsWith('chaos experiment.'));
    expect(audit.map((e) => e.action)).toEqual(['chaos experiment.started', 'chaos experiment.ended']);
    expect(audit[0]).toMatchObject({ via: 'bearer', target: expect.stringContaining('"stock read fails"') });
    expect(audit[1]!.target).toContain('Not caught');
    expect(verdict.traceIds).toHaveLength(3);
    const listed = (await api<{ experiments: ChaosExperiment[] }>('/api/chaos/experiments')).body.experiments;
    expect(listed[0]).toMatchObject({ id: r.body.id, verdict: { faultedTraces: 3 } });
    const bad = await api<ChaosValidationError>('/api/chaos/experiments', { method: 'POST', body: JSON.stringify({ name: '', rule: { target: 'db', fault: { kind: 'abort' } }, durationMs: 10 }) });
    expect(bad.body.issues.map((i) => i.field).sort()).toEqual(['durationMs', 'name', 'rule.fault.kind']);
  });

  it('stats: the chaos section counts what happened', async () => {
    const stats = (await api<{ chaos: Record<string, number> }>('/api/stats')).body.chaos;
    expect(stats).toMatchObject({ enabled: true, rules: 0 });
    expect(stats.injected).toBeGreaterThan(5);
    expect(stats.created).toBeGreaterThan(5);
  });
});

describe('chaos safety', () => {
  it('is off unless chaos: true; mutations then answer 403 with the reason', async () => {
    const app = express();
    const p = debugPanel({ service: 'plain', token: TOKEN });
    app.use(p);
    const s = app.listen(0, '127.0.0.1');
    await once(s, 'listening');
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/_debug/api/chaos/rules`;
    try {
      expect(await (await fetch(url, { headers: AUTH })).json()).toMatchObject({ enabled: false, rules: [], reason: expect.stringContaining('chaos: true') });
      const post = await fetch(url, { method: 'POST', headers: AUTH, body: JSON.stringify({ target: 'incoming', fault: { kind: 'abort' } }) });
      expect(post.status).toBe(403);
    } finally {
      await p.panel.close();
      await new Promise((r) => s.close(r));
    }
  });

  it('stays off in production without a configured token, even with chaos: true', () => {
    expect(resolveOptions({ chaos: true, enabled: true }, { NODE_ENV: 'production' }).chaos).toMatchObject({ enabled: false, reason: expect.stringContaining('NODE_ENV=production') });
    expect(resolveOptions({ chaos: true, token: TOKEN }, { NODE_ENV: 'production' }).chaos.enabled).toBe(true);
    expect(resolveOptions({ chaos: true }, {}).chaos.enabled).toBe(true);
    expect(() => resolveOptions({ chaos: { maxRule: 3 } }, {})).toThrow('did you mean "chaos.maxRules"');
  });
});
