import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord, LogsResponse, StatsResponse, TracesResponse } from '@debugpanel/model';
import { debugPanel, type DebugPanelMiddleware } from '../index.js';

const pino = createRequire(import.meta.url)('pino') as typeof import('pino').default;
const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const written: string[] = [];
// Made before the panel: its lines are captured all the same.
const logger = pino({}, { write: (s: string) => void written.push(s) });

let server: Server;
let base: string;
let panel: DebugPanelMiddleware;

async function get<T>(p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/_debug${p}`, { headers: AUTH });
  return { status: res.status, body: (await res.json()) as T };
}

async function settle(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
}

beforeAll(async () => {
  const app = express();
  panel = debugPanel({ service: 'shop', token: TOKEN, redact: ['card'] });
  app.use(panel);
  app.get('/checkout/:id', (req, res) => {
    console.info(`checkout ${req.params.id} started`);
    logger.warn({ cart: 3, card: '4111 1111 1111 1111', 'user.id': 'u-42' }, 'payment slow');
    res.json({ ok: true });
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await panel.panel.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('GET /api/logs', () => {
  it("serves a request's console and pino lines under its trace id, redacted, newest first", async () => {
    await (await fetch(`${base}/checkout/7`)).text();
    await settle();
    const { traces } = (await get<TracesResponse>('/api/traces?route=/checkout/:id')).body;
    const traceId = traces[0]!.traceId;
    const { status, body } = await get<LogsResponse>(`/api/logs?traceId=${traceId}`);
    expect(status).toBe(200);
    expect(body.logs.map((r) => [r.source, r.body, r.severityNumber])).toEqual([
      ['pino', 'payment slow', 13],
      ['console', 'checkout 7 started', 9],
    ]);
    const slow = body.logs[0]!;
    expect(slow).toMatchObject({ traceId, service: 'shop', attributes: { cart: 3, card: '[REDACTED]', 'user.id': 'u-42' } });
    // The pino line the app wrote carries the same trace id.
    expect(JSON.parse(written.at(-1)!)).toMatchObject({ trace_id: traceId, span_id: slow.spanId });
    // The span it was logged in is the request's server span.
    const spans = (await get<{ spans: Array<{ spanId: string }> }>(`/api/traces/${traceId}`)).body.spans;
    expect(spans.map((s) => s.spanId)).toContain(slow.spanId);
  });

  it('filters by severity name, text, attribute and service; pages with a cursor', async () => {
    for (let i = 0; i < 3; i++) await (await fetch(`${base}/checkout/${100 + i}`)).text();
    await settle();
    const warn = (await get<LogsResponse>('/api/logs?severity=warn')).body.logs;
    expect(warn.length).toBeGreaterThanOrEqual(4);
    expect(warn.every((r) => r.severityNumber >= 13)).toBe(true);
    const text = (await get<LogsResponse>('/api/logs?text=CHECKOUT%20101')).body.logs;
    expect(text.map((r) => r.body)).toEqual(['checkout 101 started']);
    const attr = (await get<LogsResponse>('/api/logs?attr=user.id=u-42&service=shop&limit=2')).body;
    expect(attr.logs).toHaveLength(2);
    expect(attr.nextCursor).toBeTruthy();
    const next = (await get<LogsResponse>(`/api/logs?attr=user.id=u-42&limit=2&cursor=${attr.nextCursor}`)).body.logs;
    expect(next.length).toBeGreaterThan(0);
    expect(next[0]!.time).toBeLessThanOrEqual(attr.logs[1]!.time);
    expect((await get<LogsResponse>('/api/logs?service=nobody')).body.logs).toEqual([]);
  });

  it('answers 400 with a clear message for bad parameters', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/logs?severity=loud', /severity must be a number from 1 to 24 or a name/],
      ['/api/logs?traceId=xyz', /traceId must be 32 lower-case hex/],
      ['/api/logs?spanId=1', /spanId must be 16 lower-case hex/],
      ['/api/logs?limit=5000', /limit must be an integer from 1 to 1000/],
      ['/api/logs?since=yesterday', /since must be a non-negative number/],
      ['/api/logs?attr=novalue', /attr must look like key=value/],
      ['/api/logs?cursor=bogus', /invalid cursor/],
      ['/api/logs?level=3', /unknown query parameter "level"/],
    ];
    for (const [p, message] of cases) {
      const { status, body } = await get<{ error: string }>(p);
      expect(status, p).toBe(400);
      expect(body.error, p).toMatch(message);
    }
  });

  it('a line logged outside any request is kept with no trace id', async () => {
    logger.info('background job done');
    await settle();
    const [r] = (await get<LogsResponse>('/api/logs?text=background%20job')).body.logs;
    expect(r).toMatchObject({ body: 'background job done', service: 'shop' });
    expect(r!.traceId).toBeUndefined();
  });

  it('stats show the store and the capture', async () => {
    const { body } = await get<StatsResponse>('/api/stats');
    expect(body.logs!.store.records).toBeGreaterThan(5);
    expect(body.logs!.store.maxRecords).toBe(50_000);
    expect(body.logs!.capture.active).toEqual(expect.arrayContaining(['console', 'pino']));
    expect(body.logs!.capture.pino).toBeGreaterThan(3);
  });

  it('streams one log event per captured batch', async () => {
    const ac = new AbortController();
    const res = await fetch(`${base}/_debug/api/stream`, { headers: AUTH, signal: ac.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let asked = false;
    let batch: LogRecord[] | undefined;
    while (!batch) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      text += decoder.decode(value);
      if (!asked && text.includes('event: hello')) {
        asked = true;
        void fetch(`${base}/checkout/stream`);
      }
      const m = /event: log\ndata: (.*)\n/.exec(text);
      if (m) batch = JSON.parse(m[1]!) as LogRecord[];
    }
    ac.abort();
    expect(batch.map((r) => r.body)).toEqual(['checkout stream started', 'payment slow']);
  });
});

describe('logs: false and { console: false }', () => {
  it('logs: false serves 404 and has no logs section', async () => {
    const app = express();
    const off = debugPanel({ service: 'quiet', token: TOKEN, logs: false });
    app.use(off);
    const s = app.listen(0, '127.0.0.1');
    await once(s, 'listening');
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/_debug`;
    const res = await fetch(`${url}/api/logs`, { headers: AUTH });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/logs are off/);
    const stats = (await (await fetch(`${url}/api/stats`, { headers: AUTH })).json()) as StatsResponse;
    expect(stats.logs).toBeUndefined();
    expect(off.panel.logs).toBeUndefined();
    await off.panel.close();
    s.close();
  });

  it('{ console: false } leaves console lines out but still takes pino', async () => {
    const app = express();
    const quiet = debugPanel({ service: 'no-console', token: TOKEN, logs: { console: false } });
    app.use(quiet);
    app.get('/x', (_req, res) => {
      console.info('console line of no-console');
      logger.info('pino line of no-console');
      res.end('ok');
    });
    const s = app.listen(0, '127.0.0.1');
    await once(s, 'listening');
    await (await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/x`)).text();
    await settle();
    const bodies = quiet.panel.logs!.query().logs.map((r) => r.body);
    expect(bodies).toEqual(['pino line of no-console']);
    // The other panel in this process does not get this panel's request lines either.
    expect(panel.panel.logs!.query({ text: 'of no-console' }).logs).toEqual([]);
    await quiet.panel.close();
    s.close();
  });

  it('rejects unknown logs options with a hint', () => {
    expect(() => debugPanel({ token: TOKEN, logs: { consol: false } as never })).toThrow(/did you mean "logs.console"/);
    expect(() => debugPanel({ token: TOKEN, logs: 'yes' as never })).toThrow(/logs must be true, false or an object/);
  });
});
