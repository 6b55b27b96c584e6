import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { SpanRecord } from '@debugpanel/model';
import { TraceContextPropagator } from './propagator.js';
import { setupTracing, type PanelTracing } from './setup.js';
import { startRecorder, startServer, waitFor, type Recorder } from './test-helpers.js';
import { parseTracestate } from './tracestate.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('TraceContextPropagator', () => {
  const propagator = new TraceContextPropagator();
  const carrier = (headers: Record<string, string | string[]>) => headers;

  it('extracts a remote parent with the sampled and random flags, and unknown flag bits cut', () => {
    for (const [flags, kept] of [['00', 0], ['01', 1], ['02', 2], ['03', 3], ['ff', 3]] as const) {
      const ctx = propagator.extract(ROOT_CONTEXT, carrier({ traceparent: `00-${TRACE}-${PARENT}-${flags}` }), defaultTextMapGetter);
      expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: TRACE, spanId: PARENT, traceFlags: kept, isRemote: true });
    }
  });

  it('accepts surrounding OWS (not part of a field value), refuses two traceparents, drops a bad tracestate whole', () => {
    const ows = propagator.extract(ROOT_CONTEXT, carrier({ traceparent: `\t 00-${TRACE}-${PARENT}-01 \t` }), defaultTextMapGetter);
    expect(trace.getSpanContext(ows)?.traceId).toBe(TRACE);
    const two = propagator.extract(ROOT_CONTEXT, carrier({ traceparent: [`00-${TRACE}-${PARENT}-01`, `00-${TRACE}-${PARENT}-01`] }), defaultTextMapGetter);
    expect(two).toBe(ROOT_CONTEXT);
    const bad = propagator.extract(ROOT_CONTEXT, carrier({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'ok=1,Bad=2' }), defaultTextMapGetter);
    expect(trace.getSpanContext(bad)).toMatchObject({ traceId: TRACE, traceState: undefined });
  });

  it('injects flags as two hex digits of the known bits, and no tracestate header for an empty list', () => {
    const out: Record<string, string> = {};
    const sc = { traceId: TRACE, spanId: PARENT, traceFlags: 0xff, traceState: parseTracestate('a=1')!.unset('a') };
    propagator.inject(trace.setSpanContext(ROOT_CONTEXT, sc), out, defaultTextMapSetter);
    expect(out).toEqual({ traceparent: `00-${TRACE}-${PARENT}-03` });
  });

  it('injects nothing for an invalid span context or under suppressTracing', () => {
    const out: Record<string, string> = {};
    propagator.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: '0'.repeat(32), spanId: PARENT, traceFlags: 1 }), out, defaultTextMapSetter);
    propagator.inject(suppressTracing(trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: PARENT, traceFlags: 1 })), out, defaultTextMapSetter);
    expect(out).toEqual({});
  });
});

/**
 * Flags through a real process hop: a server traced by the panel receives a traceparent, and
 * its outgoing fetch and http.get carry the trace on. The default head sampler follows the parent.
 */
describe('W3C Trace Context through http server -> fetch / http client', () => {
  const spans: SpanRecord[] = [];
  let tracing: PanelTracing;
  let recorder: Recorder;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    tracing = setupTracing({ service: 'hop', onSpan: (s) => spans.push(s) });
    recorder = await startRecorder();
    server = await startServer((req, res) => {
      const s = tracing.startServerSpan(req);
      res.on('finish', () => s.end(res.statusCode));
      s.run(async () => {
        const id = (req.url ?? '').slice(1);
        await (await fetch(`${recorder.url}/fetch-${id}`)).text();
        await new Promise<void>((resolve, reject) => {
          http.get(`${recorder.url}/http-${id}`, (r) => r.resume().on('end', resolve)).on('error', reject);
        });
        res.end('ok');
      });
    });
  });
  afterAll(async () => {
    await server.close();
    await recorder.close();
    await tracing.shutdown();
  });

  let n = 0;
  async function hop(headers: Record<string, string>) {
    const id = String(++n);
    await (await fetch(`${server.url}/${id}`, { headers })).text();
    const viaFetch = await waitFor(() => recorder.requests.find((r) => r.url === `/fetch-${id}`));
    const viaHttp = await waitFor(() => recorder.requests.find((r) => r.url === `/http-${id}`));
    return { viaFetch: viaFetch.headers, viaHttp: viaHttp.headers, id };
  }

  it.each([
    ['00', 'not sampled, not random', false],
    ['01', 'sampled', true],
    ['02', 'random, not sampled', false],
    ['03', 'sampled and random', true],
  ])('incoming flags %s (%s) go out unchanged with the trace id, a new parent id and the tracestate', async (flags, _label, recorded) => {
    const { viaFetch, viaHttp, id } = await hop({ traceparent: `00-${TRACE}-${PARENT}-${flags}`, tracestate: 'rojo=1,congo=2' });
    for (const headers of [viaFetch, viaHttp]) {
      expect(headers.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-${flags}$`));
      expect(headers.traceparent).not.toContain(PARENT);
      expect(headers.tracestate).toBe('rojo=1,congo=2');
    }
    const server = spans.find((s) => s.kind === 'server' && s.attributes['url.path'] === `/${id}`);
    expect(server !== undefined).toBe(recorded);
    if (recorded) {
      const clients = spans.filter((s) => s.kind === 'client' && s.parentSpanId === server!.spanId);
      expect(clients.map((c) => c.spanId).sort()).toEqual(
        [viaFetch, viaHttp].map((h) => String(h.traceparent).split('-')[2]).sort(),
      );
    }
  });

  it('a request without traceparent starts a new trace with the sampled and random flags', async () => {
    const { viaFetch, viaHttp } = await hop({});
    expect(viaFetch.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/);
    expect(String(viaHttp.traceparent).split('-')[1]).toBe(String(viaFetch.traceparent).split('-')[1]);
    expect(viaFetch.tracestate).toBeUndefined();
  });

  it('an invalid tracestate is dropped whole, the traceparent still adopted; an empty one is never sent', async () => {
    const bad = await hop({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'rojo=1,Bad=2' });
    expect(bad.viaFetch.traceparent).toMatch(new RegExp(`^00-${TRACE}-`));
    expect(bad.viaFetch.tracestate).toBeUndefined();
    expect(bad.viaHttp.tracestate).toBeUndefined();
    const empty = await hop({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: ' , ' });
    expect(empty.viaFetch.tracestate).toBeUndefined();
    expect(empty.viaHttp.tracestate).toBeUndefined();
  });

  it('the global propagator is the strict one (what apps and instrumentations call through the API)', () => {
    const out: Record<string, string> = {};
    const span = tracing.tracer.startSpan('api-inject');
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => propagation.inject(context.active(), out));
    span.end();
    expect(out.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/);
    expect('tracestate' in out).toBe(false);
    const ctx = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${PARENT}-02`, tracestate: 'foo@@bar=1' });
    expect(trace.getSpanContext(ctx)?.traceFlags).toBe(0x02);
    expect(trace.getSpanContext(ctx)?.traceState?.serialize()).toBe('foo@@bar=1');
  });
});
