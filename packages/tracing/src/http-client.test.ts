import http from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace, type Span } from '@opentelemetry/api';
import { REDACTED, type SpanRecord } from '@debugpanel/model';
import { NO_TRACE_HEADER } from './client-span.js';
import { setupTracing, type PanelTracing } from './setup.js';
import { withoutTracing } from './suppress.js';
import { startRecorder, waitFor, type Recorder } from './test-helpers.js';

/** A new trace the panel started: sampled, and its trace id random (Trace Context level 2). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-03$/;

describe('client spans for http, https and fetch', () => {
  const spans: SpanRecord[] = [];
  let tracing: PanelTracing;
  let recorder: Recorder;

  beforeAll(async () => {
    tracing = setupTracing({
      service: 'caller',
      onSpan: (s) => spans.push(s),
      ignoreOutgoing: (url) => url.pathname === '/ignored',
    });
    recorder = await startRecorder();
  });
  afterAll(async () => {
    await recorder.close();
    await tracing.shutdown();
  });

  /** Runs `fn` inside a parent span and returns that span's id. */
  async function inTrace(fn: () => Promise<unknown>): Promise<{ traceId: string; spanId: string }> {
    const parent: Span = tracing.tracer.startSpan('parent');
    await context.with(trace.setSpan(context.active(), parent), fn);
    parent.end();
    return parent.spanContext();
  }

  const lastRequest = (path: string) => waitFor(() => recorder.requests.find((r) => r.url.startsWith(path)));
  const clientSpan = (traceId: string) => waitFor(() => spans.find((s) => s.kind === 'client' && s.traceId === traceId));

  function httpGet(url: string, options: http.RequestOptions = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      http
        .get(url, options, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  }

  it('fetch carries a traceparent naming its client span, which has the semconv attributes', async () => {
    const parent = await inTrace(async () => (await fetch(`${recorder.url}/fetch?token=abc&q=1`)).text());
    const req = await lastRequest('/fetch');
    const client = await clientSpan(parent.traceId);
    expect(req.headers.traceparent).toBe(`00-${parent.traceId}-${client.spanId}-03`);
    expect(client).toMatchObject({ name: 'GET', kind: 'client', parentSpanId: parent.spanId, status: { code: 'unset' } });
    expect(client.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': `${recorder.url}/fetch?token=${REDACTED}&q=1`,
      'server.address': '127.0.0.1',
      'server.port': recorder.port,
      'http.response.status_code': 200,
    });
  });

  it('http.get carries a traceparent and gets a client span', async () => {
    const parent = await inTrace(() => httpGet(`${recorder.url}/get`));
    const req = await lastRequest('/get');
    const client = await clientSpan(parent.traceId);
    expect(req.headers.traceparent).toBe(`00-${parent.traceId}-${client.spanId}-03`);
    expect(client.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.full': `${recorder.url}/get`,
      'server.address': '127.0.0.1',
      'server.port': recorder.port,
      'http.response.status_code': 200,
    });
  });

  it('http.request with an options object and a body is traced', async () => {
    const parent = await inTrace(
      () =>
        new Promise<void>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port: recorder.port, path: '/post', method: 'POST' }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.end('{"a":1}');
        }),
    );
    const req = await lastRequest('/post');
    const client = await clientSpan(parent.traceId);
    expect(req.headers.traceparent).toMatch(TRACEPARENT);
    expect(client.attributes['http.request.method']).toBe('POST');
  });

  it('a response nobody listens to is still drained and ends the span', async () => {
    const parent = await inTrace(async () => {
      http.get(`${recorder.url}/unheard`);
    });
    const client = await clientSpan(parent.traceId);
    expect(client.attributes['http.response.status_code']).toBe(200);
  });

  it('marks 4xx and 5xx client spans as errors', async () => {
    const parent = await inTrace(() => httpGet(`${recorder.url}/status/404`));
    const client = await clientSpan(parent.traceId);
    expect(client.status.code).toBe('error');
    expect(client.attributes['error.type']).toBe('404');
    const p2 = await inTrace(async () => (await fetch(`${recorder.url}/status/503`)).text());
    expect((await clientSpan(p2.traceId)).status.code).toBe('error');
  });

  it('records a connection error on http and fetch client spans', async () => {
    const closed = await startRecorder();
    await closed.close();
    const parent = await inTrace(() => httpGet(`${closed.url}/x`).catch((e: unknown) => e));
    const client = await clientSpan(parent.traceId);
    expect(client.status.code).toBe('error');
    expect(client.attributes['error.type']).toBe('ECONNREFUSED');
    expect(client.events[0]?.name).toBe('exception');
    const p2 = await inTrace(() => fetch(`${closed.url}/x`).catch((e: unknown) => e));
    expect((await clientSpan(p2.traceId)).status.code).toBe('error');
  });

  it('https.get gets a client span with the https scheme and default or explicit port', async () => {
    const closed = await startRecorder();
    await closed.close();
    const parent = await inTrace(
      () =>
        new Promise<void>((resolve) => {
          https.get(`https://127.0.0.1:${closed.port}/secure?apikey=1`).on('error', () => resolve());
        }),
    );
    const client = await clientSpan(parent.traceId);
    expect(client.attributes).toMatchObject({
      'url.full': `https://127.0.0.1:${closed.port}/secure?apikey=${REDACTED}`,
      'server.port': closed.port,
    });
    expect(client.status.code).toBe('error');
  });

  it('makes no client span and sends no traceparent outside a trace', async () => {
    const before = spans.length;
    await httpGet(`${recorder.url}/background-http`);
    await (await fetch(`${recorder.url}/background-fetch`)).text();
    expect((await lastRequest('/background-http')).headers.traceparent).toBeUndefined();
    expect((await lastRequest('/background-fetch')).headers.traceparent).toBeUndefined();
    expect(spans.length).toBe(before);
  });

  it('skips URLs matched by ignoreOutgoing, the no-trace header and withoutTracing()', async () => {
    const parent = await inTrace(async () => {
      await httpGet(`${recorder.url}/ignored`);
      await (await fetch(`${recorder.url}/ignored`)).text();
      await (await fetch(`${recorder.url}/marked`, { headers: { [NO_TRACE_HEADER]: '1' } })).text();
      await httpGet(`${recorder.url}/marked-http`, { headers: { [NO_TRACE_HEADER]: '1' } });
      await withoutTracing(() => fetch(`${recorder.url}/suppressed`).then((r) => r.text()));
    });
    for (const path of ['/ignored', '/marked', '/marked-http', '/suppressed']) {
      expect((await lastRequest(path)).headers.traceparent).toBeUndefined();
    }
    expect(spans.filter((s) => s.traceId === parent.traceId && s.kind === 'client')).toEqual([]);
  });

  it('keeps a traceparent the caller set', async () => {
    const own = '00-11111111111111111111111111111111-2222222222222222-01';
    await inTrace(async () => (await fetch(`${recorder.url}/own-fetch`, { headers: { traceparent: own } })).text());
    await inTrace(() => httpGet(`${recorder.url}/own-http`, { headers: { traceparent: own } }));
    expect((await lastRequest('/own-fetch')).headers.traceparent).toBe(own);
    expect((await lastRequest('/own-http')).headers.traceparent).toBe(own);
  });

  it('patches the ESM named exports too', async () => {
    const esm = await import('node:http');
    expect(esm.request).toBe(http.request);
    expect(esm.get).toBe(http.get);
    const parent = await inTrace(
      () =>
        new Promise<void>((resolve) => {
          esm.get(`${recorder.url}/esm`, (res) => {
            res.resume();
            res.on('end', resolve);
          });
        }),
    );
    expect((await lastRequest('/esm')).headers.traceparent).toMatch(new RegExp(`^00-${parent.traceId}-`));
  });

  it('unpatches http and unsubscribes fetch when the last handle shuts down', async () => {
    const patched = http.request;
    const other = setupTracing({ service: 'other', onSpan: () => {} });
    await other.shutdown();
    expect(http.request).toBe(patched);
    await tracing.shutdown();
    expect(http.request).not.toBe(patched);
    const esm = await import('node:http');
    expect(esm.request).toBe(http.request);
    const before = spans.length;
    await inTrace(async () => (await fetch(`${recorder.url}/after-shutdown`)).text());
    expect((await lastRequest('/after-shutdown')).headers.traceparent).toBeUndefined();
    expect(spans.length).toBe(before);
  });
});
