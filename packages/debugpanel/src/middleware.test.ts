import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import type { PanelTracing, ServerSpan } from '@debugpanel/tracing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracingMiddleware, routeTemplate } from './middleware.js';

/** A stand-in for @debugpanel/tracing that records what the middleware tells a span. */
interface FakeSpan { url: string; route?: string; errors: unknown[]; status?: number; ranNext: boolean }
const spans: FakeSpan[] = [];
const tracing = {
  startServerSpan(req) {
    const rec: FakeSpan = { url: req.url!, errors: [], ranNext: false };
    spans.push(rec);
    const span: Partial<ServerSpan> = {
      run: (fn) => { rec.ranNext = true; return fn(); },
      setRoute: (t) => { rec.route = t; },
      // like the real ServerSpan: once per error object
      recordError: (e) => { if (!rec.errors.includes(e)) rec.errors.push(e); },
      end: (s) => { rec.status = s; },
    };
    return span as ServerSpan;
  },
} as Partial<PanelTracing> as PanelTracing;

const counters = { internalErrors: 0 };
const panelHits: string[] = [];
let server: Server;
let base: string;
const handledByApp: unknown[] = [];

beforeAll(async () => {
  const app = express();
  app.use(createTracingMiddleware({
    path: '/_debug',
    tracing,
    counters,
    handlePanel: (req, res) => { panelHits.push(req.url!); res.end('panel'); },
    isClosed: () => false,
  }));
  app.get('/hello', (_req, res) => { res.json({ ok: true }); });
  app.get('/users/:id', (req, res) => { res.send(req.params.id); });
  const api = express.Router();
  api.get('/orders/:id', (_req, res) => { res.send('order'); });
  api.get('/', (_req, res) => { res.send('api root'); });
  app.use('/api', api);
  app.get('/throws', () => { throw new Error('thrown'); });
  app.get('/next-err', (_req, _res, next) => { next(new TypeError('passed')); });
  app.get('/async', async () => { await new Promise((r) => setTimeout(r, 1)); throw new RangeError('rejected'); });
  app.get('/teapot', (_req, _res, next) => { next(Object.assign(new Error('handled'), { status: 418 })); });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    handledByApp.push(err);
    res.status((err as { status?: number }).status ?? 500).json({ error: (err as Error).message });
  };
  app.use(onError);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function get(path: string): Promise<{ status: number; span: FakeSpan | undefined }> {
  const before = spans.length;
  const r = await fetch(base + path);
  await r.arrayBuffer();
  // the span ends on the response's 'close', just after the body went out
  for (let i = 0; i < 100 && spans[before]?.status === undefined; i++) await new Promise((res) => setTimeout(res, 5));
  return { status: r.status, span: spans[before] };
}

describe('tracing middleware', () => {
  it('traces a request inside the span context and ends it with the status and route', async () => {
    const { status, span } = await get('/users/42?x=1');
    expect(status).toBe(200);
    expect(span).toMatchObject({ url: '/users/42?x=1', route: '/users/:id', status: 200, ranNext: true, errors: [] });
  });

  it('names routes of mounted routers with baseUrl + route path', async () => {
    expect((await get('/api/orders/7')).span?.route).toBe('/api/orders/:id');
    expect((await get('/api/')).span?.route).toBe('/api');
  });

  it('leaves the route unset when no route matched', async () => {
    const { status, span } = await get('/nowhere');
    expect(status).toBe(404);
    expect(span?.route).toBeUndefined();
    expect(span?.status).toBe(404);
  });

  it.each([
    ['/throws', Error, 'thrown'],
    ['/next-err', TypeError, 'passed'],
    ['/async', RangeError, 'rejected'],
  ])('records the error of %s once, and the app error handler still runs', async (path, type, message) => {
    const seen = handledByApp.length;
    const { status, span } = await get(path);
    expect(status).toBe(500);
    expect(span?.errors).toHaveLength(1);
    expect(span?.errors[0]).toBeInstanceOf(type);
    expect((span?.errors[0] as Error).message).toBe(message);
    expect(handledByApp.length).toBe(seen + 1);
    expect(span?.status).toBe(500);
  });

  it('records errors the app handles with a 4xx too', async () => {
    const { status, span } = await get('/teapot');
    expect(status).toBe(418);
    expect((span?.errors[0] as Error).message).toBe('handled');
  });

  it('hands panel requests to the panel and never traces them', async () => {
    const before = spans.length;
    for (const p of ['/_debug', '/_debug/', '/_debug/api/traces', '/_debug?x=1']) {
      const r = await fetch(base + p);
      expect(await r.text()).toBe('panel');
    }
    expect(spans.length).toBe(before);
    expect(panelHits).toEqual(['/_debug', '/_debug/', '/_debug/api/traces', '/_debug?x=1']);
  });

  it('traces paths that only share a prefix with the panel path', async () => {
    const { span } = await get('/_debugger');
    expect(span?.url).toBe('/_debugger');
  });

  it('has no internal errors', () => expect(counters.internalErrors).toBe(0));
});

describe('errors with no error handler after them', () => {
  it('records an error that reaches the final handler (router >= 2.3)', async () => {
    const app = express();
    app.use(createTracingMiddleware({ path: '/_debug', tracing, counters, handlePanel: () => {}, isClosed: () => false }));
    app.get('/boom', () => { throw new Error('final'); });
    app.set('env', 'test'); // keep finalhandler from logging the stack
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const before = spans.length;
    const r = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/boom`);
    expect(r.status).toBe(500);
    await r.arrayBuffer();
    for (let i = 0; i < 100 && spans[before]?.status === undefined; i++) await new Promise((res) => setTimeout(res, 5));
    expect((spans[before]?.errors[0] as Error).message).toBe('final');
    await new Promise((r2) => s.close(r2));
  });
});

describe('routeTemplate', () => {
  it('joins baseUrl and route path, ignoring non-string paths', () => {
    expect(routeTemplate({ route: { path: '/a/:b' } })).toBe('/a/:b');
    expect(routeTemplate({ baseUrl: '/x', route: { path: '/a' } })).toBe('/x/a');
    expect(routeTemplate({ baseUrl: '/x', route: { path: '/' } })).toBe('/x');
    expect(routeTemplate({ route: { path: /re/ } })).toBeUndefined();
    expect(routeTemplate({})).toBeUndefined();
  });

  it('remembers the template per route and mount point (a route mounted twice alternates correctly)', () => {
    const route = { path: '/orders/:id' };
    expect(routeTemplate({ baseUrl: '/api', route })).toBe('/api/orders/:id');
    // A fresh but equal baseUrl string, as Express makes per request.
    expect(routeTemplate({ baseUrl: ['/', 'api'].join(''), route })).toBe('/api/orders/:id');
    expect(routeTemplate({ baseUrl: '/v2', route })).toBe('/v2/orders/:id');
    expect(routeTemplate({ baseUrl: '/api', route })).toBe('/api/orders/:id');
  });
});
