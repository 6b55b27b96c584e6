/**
 * The error routes on a real panel: an Express app whose handlers throw (from two functions, with
 * varying ids, one caught in a child span and answered 500), a logged error with its cause, and
 * bad input.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import type { ErrorGroupResponse, ErrorsResponse, StatsResponse } from '@debugpanel/model';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugPanel, type DebugPanelMiddleware } from '../index.js';

const TOKEN = 'test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
let server: Server;
let base: string;
let panel: DebugPanelMiddleware;

class NotFoundError extends Error {
  override name = 'NotFoundError';
}
function findOrder(id: string): never {
  throw new NotFoundError(`order ${id} not found`);
}
function findInvoice(id: string): never {
  throw new NotFoundError(`order ${id} not found`);
}

async function get<T>(p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/_debug${p}`, { headers: AUTH });
  return { status: res.status, body: (await res.json()) as T };
}

/** Groups once `ready` holds: spans reach the groups when they end, just after their responses. */
async function groupsWhen(ready: (r: ErrorsResponse) => boolean, q = ''): Promise<ErrorsResponse> {
  for (let i = 0; ; i++) {
    const { body } = await get<ErrorsResponse>(`/api/errors${q}`);
    if (ready(body) || i === 200) return body;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  const app = express();
  panel = debugPanel({ service: 'shop', token: TOKEN, errors: { process: false } });
  app.use(panel);
  const tracer = trace.getTracer('test');
  app.get('/orders/:id', (req) => findOrder(req.params.id));
  app.get('/invoices/:id', (req) => findInvoice(req.params.id));
  app.get('/price/:id', (req, res) => {
    // thrown in a child span and answered 500 here: the server span has no exception event
    try {
      tracer.startActiveSpan('price.calculate', (span) => {
        try {
          findOrder(req.params.id);
        } catch (err) {
          span.recordException(err as Error);
          throw err;
        } finally {
          span.end();
        }
      });
    } catch {
      res.status(500).json({ error: 'no price' });
    }
  });
  app.get('/deep/:id', (req) => {
    // recorded by a child span, then again by the server span as it reaches Express: counted once
    tracer.startActiveSpan('load', (span) => {
      try {
        findInvoice(`deep ${req.params.id}`);
      } catch (err) {
        span.recordException(err as Error);
        throw err;
      } finally {
        span.end();
      }
    });
  });
  app.get('/console', (_req, res) => {
    // captured by the log capture, whose logged errors join the groups
    console.error('charge failed', new RangeError('amount 4200 over the limit'));
    res.json({ ok: true });
  });
  app.get('/log', (_req, res) => {
    const ctx = trace.getActiveSpan()!.spanContext();
    const err = new Error('checkout failed for ada@example.com', { cause: new TypeError('token Bearer abc.def.ghi rejected') });
    panel.panel.errors.record(err, { traceId: ctx.traceId, spanId: ctx.spanId });
    res.json({ logged: true });
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (let i = 0; i < 5; i++) await fetch(`${base}/orders/${1000 + i}`);
  await fetch(`${base}/invoices/7`);
  await fetch(`${base}/price/13`);
  await fetch(`${base}/deep/1`);
  await fetch(`${base}/log`);
  await fetch(`${base}/console`);
});

afterAll(async () => {
  await panel.panel.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('GET /api/errors', () => {
  it('groups the same error from one place, splits it by function, most recent first', async () => {
    const r = await groupsWhen((x) => x.groups.length >= 5 && x.groups.reduce((n, g) => n + g.count, 0) >= 9);
    const orders = r.groups.filter((g) => g.type === 'NotFoundError' && g.culprit?.endsWith('findOrder'));
    const invoices = r.groups.filter((g) => g.culprit?.endsWith('findInvoice') && g.routes.includes('/invoices/:id'));
    // /orders/:id (5 throws) and /price/:id (1) are two call paths of findOrder: top frames differ
    expect(orders.map((g) => g.count).sort()).toEqual([1, 5]);
    expect(invoices).toHaveLength(1);
    const five = orders.find((g) => g.count === 5)!;
    expect(five).toMatchObject({ title: 'order <num> not found', message: 'order 1004 not found', services: ['shop'], routes: ['/orders/:id'], sources: ['span'], isNew: false });
    expect(five.sampleTraceIds).toHaveLength(5);
    expect(five.series.reduce((a, b) => a + b, 0)).toBe(5);
    expect(r.total).toBe(r.groups.length);
    const lastSeen = r.groups.map((g) => g.lastSeen);
    expect(lastSeen).toEqual([...lastSeen].sort((a, b) => b - a));
  });

  it('counts an error once when its child span and the server span both record it', async () => {
    const r = await groupsWhen((x) => x.groups.some((g) => g.routes.includes('/deep/:id')));
    expect(r.groups.find((g) => g.routes.includes('/deep/:id'))).toMatchObject({ count: 1, title: 'order deep <num> not found' });
  });

  it('gives an error caught in a child span the route of its request', async () => {
    const r = await groupsWhen((x) => x.groups.some((g) => g.routes.includes('/price/:id')));
    expect(r.groups.find((g) => g.routes.includes('/price/:id'))).toMatchObject({ count: 1, type: 'NotFoundError' });
  });

  it('takes logged errors with their cause chain, redacted', async () => {
    const r = await groupsWhen((x) => x.groups.some((g) => g.sources.includes('log')));
    const logged = r.groups.find((g) => g.sources.includes('log') && g.type === 'Error')!;
    expect(logged).toMatchObject({ type: 'Error', title: 'checkout failed for <email>', routes: ['/log'] });
    const { body } = await get<ErrorGroupResponse>(`/api/errors/${logged.fingerprint}`);
    expect(body.sample.map((l) => l.type)).toEqual(['Error', 'TypeError']);
    expect(body.sample[1]!.message).not.toContain('abc.def.ghi');
    expect(body.occurrences[0]).toMatchObject({ source: 'log', service: 'shop', stored: true });
  });

  it('takes errors passed to console.error inside a request (via the log capture)', async () => {
    const r = await groupsWhen((x) => x.groups.some((g) => g.type === 'RangeError'));
    expect(r.groups.find((g) => g.type === 'RangeError')).toMatchObject({ title: 'amount <num> over the limit', sources: ['log'], routes: ['/console'], count: 1 });
  });

  it('filters, and refuses bad parameters with a 400', async () => {
    await groupsWhen((x) => x.groups.length >= 7);
    expect((await get<ErrorsResponse>('/api/errors?route=/invoices/:id')).body.groups).toHaveLength(1);
    expect((await get<ErrorsResponse>('/api/errors?service=nobody')).body.groups).toHaveLength(0);
    expect((await get<ErrorsResponse>('/api/errors?source=log')).body.groups).toHaveLength(2);
    expect((await get<ErrorsResponse>('/api/errors?limit=1')).body.groups).toHaveLength(1);
    expect((await get<ErrorsResponse>(`/api/errors?since=${Date.now() + 60_000}`)).body.groups).toHaveLength(0);
    for (const bad of ['?servce=x', '?limit=0', '?limit=x', '?since=-1', '?source=stdout', `?route=${'x'.repeat(300)}`]) {
      const r = await get<{ error: string }>(`/api/errors${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error).toBeTruthy();
    }
  });
});

describe('GET /api/errors/:fingerprint', () => {
  it('answers a group with its stack, series and occurrences linked to stored traces', async () => {
    const r = await groupsWhen((x) => x.groups.some((g) => g.count === 5));
    const five = r.groups.find((g) => g.count === 5)!;
    const { status, body } = await get<ErrorGroupResponse>(`/api/errors/${five.fingerprint}`);
    expect(status).toBe(200);
    expect(body.group.fingerprint).toBe(five.fingerprint);
    expect(body.sample[0]!.stack).toContain('findOrder');
    expect(body.sample[0]!.frames.find((f) => f.inApp)).toMatchObject({ function: 'findOrder' });
    expect(body.occurrences).toHaveLength(5);
    expect(body.occurrences.every((o) => o.stored === true && o.route === '/orders/:id')).toBe(true);
    expect(body.tracesExamined).toBe(5);
    expect(body).toMatchObject({ causedBy: [], causes: [], seriesStepMs: 60_000 });
  });

  it('is 400 for a malformed fingerprint and 404 for an unknown one', async () => {
    expect((await get('/api/errors/nope')).status).toBe(400);
    expect((await get('/api/errors/0123456789abcdef')).status).toBe(404);
    expect((await get('/api/errors/0123456789abcdef?x=1')).status).toBe(400);
  });

  it('shows its counters in stats', async () => {
    const { body } = await get<StatsResponse>('/api/stats');
    expect(body.errors).toMatchObject({ maxGroups: 500, droppedQueue: 0, failed: 0 });
    expect(body.errors!.groups).toBeGreaterThanOrEqual(4);
    expect(body.errors!.duplicates).toBe(1); // /deep/:id: its child span's error again on the server span
  });
});

describe('errors: false', () => {
  it('turns the routes off (404) and records nothing', async () => {
    const off = debugPanel({ service: 'off', token: TOKEN, errors: false });
    const app = express();
    app.use(off);
    const s = app.listen(0, '127.0.0.1');
    await once(s, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/_debug/api/errors`, { headers: AUTH });
      expect(res.status).toBe(404);
      off.panel.errors.record(new Error('ignored')); // a no-op, never a throw
    } finally {
      await off.panel.close();
      s.close();
    }
  });
});
