import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { context, trace, type Span } from '@opentelemetry/api';
import { CHAOS_EVENT, CHAOS_RULE_ATTRIBUTE, type FaultDecision, type FaultInjector, type FaultKind, type OutgoingCall, type StatementCall, type SpanRecord } from '@debugpanel/model';
import { NO_TRACE_HEADER } from './client-span.js';
import { setupTracing, type PanelTracing } from './setup.js';
import { startRecorder, waitFor, type Recorder } from './test-helpers.js';

/** A test injector: one decision for every outgoing call to `port` / statement containing `needle`. */
class FixedInjector implements FaultInjector {
  headerScoped = false;
  calls: Array<OutgoingCall | StatementCall> = [];
  constructor(private readonly d: FaultDecision, private readonly port?: number, private readonly needle?: string) {}
  incoming(): undefined {
    return undefined;
  }
  outgoing(call: OutgoingCall): FaultDecision | undefined {
    this.calls.push(call);
    return call.port === this.port ? this.d : undefined;
  }
  statement(call: StatementCall): FaultDecision | undefined {
    this.calls.push(call);
    return this.needle !== undefined && call.text.includes(this.needle) ? this.d : undefined;
  }
}

const decision = (kind: FaultKind, extra: Partial<FaultDecision> = {}): FaultDecision => ({
  ruleId: 'c0123456789ab',
  ruleName: 'test rule',
  kind,
  ms: 0,
  status: 0,
  message: `injected ${kind}`,
  ...extra,
});

describe('fault hooks', () => {
  const spans: SpanRecord[] = [];
  let tracing: PanelTracing;
  let recorder: Recorder;
  let db: Database.Database;
  let dir: string;

  beforeAll(async () => {
    tracing = setupTracing({ service: 'faulty', onSpan: (s) => spans.push(s) });
    recorder = await startRecorder();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-faults-'));
    db = new Database(path.join(dir, 'f.db'));
    db.exec('CREATE TABLE stock (id INTEGER PRIMARY KEY, n INTEGER)');
    db.prepare('INSERT INTO stock (id, n) VALUES (1, 5)').run();
  });
  afterEach(() => tracing.setFaultInjector(undefined));
  afterAll(async () => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await recorder.close();
    await tracing.shutdown();
  });

  async function inTrace<T>(fn: () => Promise<T> | T): Promise<{ result: T; traceId: string }> {
    const parent: Span = tracing.tracer.startSpan('parent');
    const result = await context.with(trace.setSpan(context.active(), parent), fn);
    parent.end();
    return { result, traceId: parent.spanContext().traceId };
  }
  const clientSpan = (traceId: string) => waitFor(() => spans.find((s) => s.kind === 'client' && s.traceId === traceId));
  const marked = (s: SpanRecord) => ({ rule: s.attributes[CHAOS_RULE_ATTRIBUTE], event: s.events.find((e) => e.name === CHAOS_EVENT)?.attributes });

  function httpGet(url: string, options: http.RequestOptions = {}): Promise<{ status: number; body: string } | { error: string; code?: string }> {
    return new Promise((resolve) => {
      const req = http.get(url, options, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.message, code: err.code }));
    });
  }

  it('without an injector, nothing is asked', async () => {
    const inj = new FixedInjector(decision('reset'), recorder.port);
    tracing.setFaultInjector(inj);
    tracing.setFaultInjector(undefined);
    const r = await httpGet(`${recorder.url}/plain`);
    expect(r).toMatchObject({ status: 200 });
    expect(inj.calls).toEqual([]);
  });

  describe('node:http', () => {
    it('error: a fake response with the status; nothing reaches the server; the span is marked', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('error', { status: 503 }), recorder.port));
      const before = recorder.requests.length;
      const { result, traceId } = await inTrace(() => httpGet(`${recorder.url}/stock/1`));
      expect(result).toMatchObject({ status: 503 });
      expect(JSON.parse((result as { body: string }).body)).toEqual({ error: 'injected error', rule: 'c0123456789ab' });
      const span = await clientSpan(traceId);
      expect(span.attributes['http.response.status_code']).toBe(503);
      expect(span.status.code).toBe('error');
      expect(marked(span)).toEqual({ rule: 'c0123456789ab', event: expect.objectContaining({ 'debugpanel.chaos.kind': 'error', 'debugpanel.chaos.status': 503 }) });
      await new Promise((r) => setTimeout(r, 20));
      expect(recorder.requests.length).toBe(before);
    });

    it('reset: the request fails with ECONNRESET', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('reset'), recorder.port));
      const { result, traceId } = await inTrace(() => httpGet(`${recorder.url}/stock/1`));
      expect(result).toMatchObject({ code: 'ECONNRESET', error: 'injected reset' });
      const span = await clientSpan(traceId);
      expect(span.attributes['error.type']).toBe('ECONNRESET');
      expect(marked(span).rule).toBe('c0123456789ab');
    });

    it('latency: the real response arrives later', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('latency', { ms: 120 }), recorder.port));
      const before = recorder.requests.length;
      const t0 = performance.now();
      const { result, traceId } = await inTrace(() => httpGet(`${recorder.url}/slow`));
      expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
      expect(result).toEqual({ status: 200, body: 'recorded' });
      expect(recorder.requests.length).toBe(before + 1);
      const span = await clientSpan(traceId);
      expect(span.duration).toBeGreaterThanOrEqual(115);
      expect(marked(span).event).toMatchObject({ 'debugpanel.chaos.ms': 120 });
    });

    it('timeout: fails with ETIMEDOUT after ms, or the app\'s own timeout fires first', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('timeout', { ms: 80 }), recorder.port));
      const { result } = await inTrace(() => httpGet(`${recorder.url}/t`));
      expect(result).toMatchObject({ code: 'ETIMEDOUT' });
      tracing.setFaultInjector(new FixedInjector(decision('timeout', { ms: 60_000 }), recorder.port));
      const own = await new Promise<string>((resolve) => {
        const req = http.get(`${recorder.url}/t2`, () => resolve('response'));
        req.setTimeout(50, () => req.destroy(new Error('app timeout')));
        req.on('error', (err) => resolve(err.message));
      });
      expect(own).toBe('app timeout');
    });

    it('leaves the panel\'s own requests alone', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('reset'), recorder.port));
      const r = await httpGet(`${recorder.url}/own`, { headers: { [NO_TRACE_HEADER]: '1' } });
      expect(r).toMatchObject({ status: 200 });
    });
  });

  describe('fetch', () => {
    it('error: a Response with the status; the span is the panel\'s own and marked', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('error', { status: 500 }), recorder.port));
      const before = recorder.requests.length;
      const { result, traceId } = await inTrace(async () => {
        const res = await fetch(`${recorder.url}/f/1`);
        return { status: res.status, body: await res.json() };
      });
      expect(result).toEqual({ status: 500, body: { error: 'injected error', rule: 'c0123456789ab' } });
      expect(recorder.requests.length).toBe(before);
      const span = await clientSpan(traceId);
      expect(span.attributes['http.response.status_code']).toBe(500);
      expect(marked(span).rule).toBe('c0123456789ab');
    });

    it('reset: TypeError fetch failed with an ECONNRESET cause', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('reset'), recorder.port));
      const { result, traceId } = await inTrace(() => fetch(`${recorder.url}/f/2`).then(() => 'ok', (e: Error & { cause?: { code?: string } }) => `${e.message}: ${e.cause?.code}`));
      expect(result).toBe('fetch failed: ECONNRESET');
      const span = await clientSpan(traceId);
      expect(span.status.code).toBe('error');
    });

    it('timeout: the app\'s AbortSignal.timeout fires', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('timeout', { ms: 60_000 }), recorder.port));
      const r = await fetch(`${recorder.url}/f/3`, { signal: AbortSignal.timeout(50) }).then(() => 'ok', (e: Error) => e.name);
      expect(r).toBe('TimeoutError');
      tracing.setFaultInjector(new FixedInjector(decision('timeout', { ms: 60 }), recorder.port));
      const r2 = await fetch(`${recorder.url}/f/4`).then(() => 'ok', (e: Error & { cause?: { code?: string } }) => e.cause?.code);
      expect(r2).toBe('UND_ERR_CONNECT_TIMEOUT');
    });

    it('latency: the real response, later, and the real span marked', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('latency', { ms: 100 }), recorder.port));
      const t0 = performance.now();
      const { result, traceId } = await inTrace(async () => (await fetch(`${recorder.url}/f/5`)).text());
      expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
      expect(result).toBe('recorded');
      const span = await clientSpan(traceId);
      expect(marked(span).rule).toBe('c0123456789ab');
    });

    it('takes its wrapper off globalThis.fetch when the injector goes', () => {
      const plain = globalThis.fetch;
      tracing.setFaultInjector(new FixedInjector(decision('reset'), recorder.port));
      expect(globalThis.fetch).not.toBe(plain);
      tracing.setFaultInjector(undefined);
      expect(globalThis.fetch).toBe(plain);
    });
  });

  describe('better-sqlite3', () => {
    const stock = () => (db.prepare('SELECT n FROM stock WHERE id = 1').get() as { n: number }).n;

    it('error: the statement throws before it runs; the span records it', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('error', { message: 'SQLITE_IOERR: disk I/O error' }), undefined, 'UPDATE stock'));
      const { result, traceId } = await inTrace(() => {
        try {
          db.prepare('UPDATE stock SET n = n - 1 WHERE id = 1').run();
          return 'ran';
        } catch (err) {
          return `${(err as Error).name} ${(err as { code?: string }).code}`;
        }
      });
      expect(result).toBe('SqliteError SQLITE_IOERR');
      tracing.setFaultInjector(undefined);
      expect(stock()).toBe(5);
      const span = await clientSpan(traceId);
      expect(span.name).toBe('UPDATE stock');
      expect(span.status.code).toBe('error');
      expect(marked(span).rule).toBe('c0123456789ab');
    });

    it('latency blocks for ms then runs; timeout blocks then throws SQLITE_BUSY', async () => {
      tracing.setFaultInjector(new FixedInjector(decision('latency', { ms: 60 }), undefined, 'SELECT n'));
      const t0 = performance.now();
      const { traceId } = await inTrace(() => stock());
      expect(performance.now() - t0).toBeGreaterThanOrEqual(58);
      const span = await clientSpan(traceId);
      expect(marked(span).event).toMatchObject({ 'debugpanel.chaos.kind': 'latency', 'debugpanel.chaos.ms': 60 });
      tracing.setFaultInjector(new FixedInjector(decision('timeout', { ms: 30 }), undefined, 'SELECT n'));
      expect(() => db.exec('SELECT n FROM stock')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    });

    it('faults also hit statements outside a trace (no span to mark)', () => {
      tracing.setFaultInjector(new FixedInjector(decision('error'), undefined, 'SELECT n'));
      expect(() => stock()).toThrow('injected error');
    });
  });
});
