import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace, SpanStatusCode } from '@opentelemetry/api';
import { REDACTED, type SpanRecord } from '@debugpanel/model';
import { setupTracing, type PanelTracing } from './setup.js';
import { startRecorder, startServer, waitFor, type Recorder } from './test-helpers.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

/**
 * A tiny framework over node:http, as the Express middleware drives the handle: server span,
 * run the handler inside it, end on 'finish'.
 */
function app(tracing: PanelTracing, recorder: Recorder) {
  return startServer((req, res) => {
    const s = tracing.startServerSpan(req);
    res.on('finish', () => s.end(res.statusCode));
    s.run(async () => {
      const path = (req.url ?? '').split('?')[0];
      if (path?.startsWith('/orders/')) s.setRoute('/orders/:id');
      if (path === '/call') {
        const r = await fetch(`${recorder.url}/downstream`);
        await r.text();
      }
      if (path === '/user-span') {
        trace.getTracer('app').startActiveSpan('compute', (span) => span.end());
      }
      if (path === '/boom') {
        const err = new TypeError('kaput');
        s.recordError(err);
        s.recordError(err);
        res.statusCode = 500;
      }
      if (path === '/teapot') res.statusCode = 418;
      res.end('ok');
    });
  });
}

describe('setupTracing: server spans', () => {
  const spans: SpanRecord[] = [];
  let tracing: PanelTracing;
  let recorder: Recorder;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    tracing = setupTracing({ service: 'shop', onSpan: (s) => spans.push(s), redactKeys: ['card'] });
    recorder = await startRecorder();
    server = await app(tracing, recorder);
  });
  afterAll(async () => {
    await server.close();
    await recorder.close();
    await tracing.shutdown();
  });

  const serverSpan = (path: string) =>
    waitFor(() => spans.find((s) => s.kind === 'server' && s.attributes['url.path'] === path));

  it('registers the global provider and reports itself active', () => {
    expect(tracing.active).toBe(true);
    expect(tracing.service).toBe('shop');
  });

  it('makes a server span with the HTTP semantic-convention attributes', async () => {
    await (await fetch(`${server.url}/plain?page=2&password=hunter2&card=4111`, { headers: { 'user-agent': 'vitest' } })).text();
    const span = await serverSpan('/plain');
    expect(span).toMatchObject({ name: 'GET /plain', kind: 'server', service: 'shop', status: { code: 'unset' } });
    expect(span.parentSpanId).toBeUndefined();
    expect(span.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/plain',
      'url.query': `page=2&password=${REDACTED}&card=${REDACTED}`,
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'server.address': '127.0.0.1',
      'client.address': '127.0.0.1',
      'user_agent.original': 'vitest',
      'http.response.status_code': 200,
    });
    expect(span.attributes['server.port']).toBe(Number(new URL(server.url).port));
    expect(span.duration).toBeGreaterThanOrEqual(0);
    expect(Math.abs(span.startTime - Date.now())).toBeLessThan(10_000);
  });

  it('names the span after the route template once setRoute runs', async () => {
    await (await fetch(`${server.url}/orders/42`)).text();
    const span = await serverSpan('/orders/42');
    expect(span.name).toBe('GET /orders/:id');
    expect(span.attributes['http.route']).toBe('/orders/:id');
  });

  it('adopts a valid traceparent and passes trace context and tracestate downstream', async () => {
    await (await fetch(`${server.url}/call`, { headers: { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'vendor=v1' } })).text();
    const span = await serverSpan('/call');
    expect(span.traceId).toBe(TRACE);
    expect(span.parentSpanId).toBe(PARENT);
    const client = await waitFor(() => spans.find((s) => s.kind === 'client' && s.traceId === TRACE));
    expect(client.parentSpanId).toBe(span.spanId);
    const downstream = recorder.requests.find((r) => r.url === '/downstream');
    expect(downstream?.headers.traceparent).toBe(`00-${TRACE}-${client.spanId}-01`);
    expect(downstream?.headers.tracestate).toBe('vendor=v1');
    expect(tracing.stats().adoptedTraceparents).toBe(1);
  });

  it('passes incoming baggage on to outgoing calls', async () => {
    await (await fetch(`${server.url}/call`, { headers: { baggage: 'tenant=acme' } })).text();
    await waitFor(() => recorder.requests.find((r) => r.headers.baggage !== undefined));
    expect(recorder.requests.find((r) => r.headers.baggage !== undefined)?.headers.baggage).toBe('tenant=acme');
  });

  it.each([
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['short span id', `00-${TRACE}-${PARENT.slice(2)}-01`],
    ['bad flags', `00-${TRACE}-${PARENT}-zz`],
  ])('starts a new trace for an invalid traceparent (%s) and drops its tracestate', async (label, header) => {
    const path = `/invalid-${label.replace(/\W/g, '-')}`;
    await (await fetch(`${server.url}${path}`, { headers: { traceparent: header, tracestate: 'vendor=v1' } })).text();
    const span = await serverSpan(path);
    expect(span.traceId).not.toBe(TRACE);
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.parentSpanId).toBeUndefined();
  });

  it('counts invalid traceparents', () => {
    expect(tracing.stats().invalidTraceparents).toBeGreaterThanOrEqual(5);
  });

  it('makes spans the app starts with @opentelemetry/api children of the server span', async () => {
    await (await fetch(`${server.url}/user-span`)).text();
    const span = await serverSpan('/user-span');
    const child = await waitFor(() => spans.find((s) => s.name === 'compute'));
    expect(child).toMatchObject({ traceId: span.traceId, parentSpanId: span.spanId, kind: 'internal', service: 'shop' });
  });

  it('records an error once per error object and marks a 5xx as error', async () => {
    await (await fetch(`${server.url}/boom`)).text();
    const span = await serverSpan('/boom');
    expect(span.status).toEqual({ code: 'error', message: 'kaput' });
    expect(span.events).toHaveLength(1);
    expect(span.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.type': 'TypeError', 'exception.message': 'kaput' } });
    expect(String(span.events[0]?.attributes['exception.stacktrace'])).toContain('TypeError: kaput');
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.attributes['http.response.status_code']).toBe(500);
  });

  it('leaves a 4xx server span unset (the client erred, not the server)', async () => {
    await (await fetch(`${server.url}/teapot`)).text();
    const span = await serverSpan('/teapot');
    expect(span.status.code).toBe('unset');
    expect(span.attributes['http.response.status_code']).toBe(418);
  });

  it('reports unknown methods as _OTHER with the original kept', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.request(`${server.url}/weird`, { method: 'PURGE' }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    const span = await serverSpan('/weird');
    expect(span.name).toBe('HTTP /weird');
    expect(span.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' });
  });

  it('ignores end() and setRoute() after the span ended', async () => {
    const before = tracing.stats().spansEnded;
    const fake = { method: 'GET', url: '/x', headers: {}, httpVersion: '1.1', socket: { remoteAddress: '::1' } };
    const s = tracing.startServerSpan(fake as never);
    s.end(200);
    s.end(500);
    s.setRoute('/y');
    s.recordError(new Error('late'));
    const span = spans.at(-1)!;
    expect(tracing.stats().spansEnded).toBe(before + 1);
    expect(span).toMatchObject({ name: 'GET /x', status: { code: 'unset' }, events: [] });
    expect(span.attributes['http.route']).toBeUndefined();
    expect(span.attributes['client.address']).toBe('::1');
  });

  it('redacts secret-looking attribute keys set by the app', () => {
    const span = tracing.tracer.startSpan('with-secret', { attributes: { 'db.password': 'pw', visible: 'v' } });
    span.setStatus({ code: SpanStatusCode.OK });
    span.end();
    const rec = spans.find((s) => s.name === 'with-secret');
    expect(rec?.attributes).toEqual({ 'db.password': REDACTED, visible: 'v' });
    expect(rec?.status).toEqual({ code: 'ok' });
  });
});
