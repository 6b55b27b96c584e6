/**
 * The span conformance suite: what any code using `@opentelemetry/api` may rely on, asserted on
 * the records the panel receives. It runs twice, once per span path (each in a process of its own,
 * because the global provider is process-wide):
 * - `span-conformance.native.test.ts`: the panel's own provider is global, spans are NativeSpans;
 * - `span-conformance.sdk.test.ts`: the app registered an OTel SDK provider with
 *   `debugPanelSpanProcessor()`, spans are the SDK's and are converted when they end.
 * Where the two paths differ by design (the SDK leaves the W3C random flag unset; the native path
 * redacts as attributes are set, the SDK path on delivery) the test says so.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SamplingDecision,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Sampler,
  type SamplingResult,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { MAX_ATTRIBUTE_LENGTH, REDACTED, type SpanRecord } from '@debugpanel/model';
import type { PanelTracing } from './setup.js';
import { startRecorder, waitFor, type Recorder } from './test-helpers.js';

/** A sampler the tests switch between decisions (the provider takes one sampler, at creation). */
export class SwitchSampler implements Sampler {
  current: Sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() });
  calls: Array<{ name: string; kind: SpanKind; attributes: Attributes; links: number }> = [];
  shouldSample(ctx: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    this.calls.push({ name, kind, attributes: { ...attributes }, links: links.length });
    return this.current.shouldSample(ctx, traceId, name, kind, attributes, links);
  }
  toString(): string {
    return 'SwitchSampler';
  }
}

/** What a test file hands the suite once it has set its path up. */
export interface SpanPath {
  name: 'native' | 'sdk';
  tracing: PanelTracing;
  spans: SpanRecord[];
  sampler: SwitchSampler;
  /** The span class of this path (NativeSpan or the SDK's), to tell recording spans from the API's non-recording ones. */
  isPathSpan(span: Span): boolean;
  /** Native path only: the record a live span is filling (to show redaction happens at set time). */
  liveRecord?: (span: Span) => SpanRecord;
}

/** The API's own way an instrumentation gets its tracer: InstrumentationBase, as pg's or mysql2's do. */
class ProbeInstrumentation extends InstrumentationBase {
  constructor() {
    super('@opentelemetry/instrumentation-probe', '0.1.0', { enabled: true });
  }
  protected init(): [] {
    return [];
  }
  get probeTracer(): Tracer {
    return this.tracer;
  }
}

const fakeReq = (url: string, headers: Record<string, string> = {}) =>
  ({ method: 'GET', url, headers, httpVersion: '1.1', socket: { remoteAddress: '127.0.0.1' } }) as never;

const REMOTE_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_SPAN = '00f067aa0ba902b7';

export function spanConformance(setup: () => SpanPath | Promise<SpanPath>): void {
  let p: SpanPath;
  let recorder: Recorder;
  const tracer = (): Tracer => trace.getTracer('conformance-app', '1.0.0');
  const last = (name: string): SpanRecord => {
    const found = p.spans.filter((s) => s.name === name).at(-1);
    if (found === undefined) throw new Error(`no span named ${name} delivered (got ${p.spans.map((s) => s.name).join(', ')})`);
    return found;
  };
  const count = (name: string): number => p.spans.filter((s) => s.name === name).length;

  beforeAll(async () => {
    p = await setup();
    recorder = await startRecorder();
  });
  afterAll(async () => {
    await recorder.close();
    await p.tracing.shutdown();
  });

  function httpGet(url: string, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      http
        .get(url, { headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  }

  describe('Span methods', () => {
    it('spanContext(): valid W3C ids, the sampled flag; isRecording() until end()', () => {
      const span = tracer().startSpan('ctx');
      const sc = span.spanContext();
      expect(p.isPathSpan(span)).toBe(true);
      expect(sc.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(sc.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(sc.traceFlags & 1).toBe(1);
      // W3C level 2 random flag: the native path sets it for the trace ids it makes; the SDK does not.
      expect(sc.traceFlags & 2).toBe(p.name === 'native' ? 2 : 0);
      expect(span.spanContext()).toEqual(sc);
      expect(span.isRecording()).toBe(true);
      span.end();
      expect(span.isRecording()).toBe(false);
      expect(last('ctx')).toMatchObject({ traceId: sc.traceId, spanId: sc.spanId, kind: 'internal', service: 'conf' });
      expect(last('ctx').parentSpanId).toBeUndefined();
    });

    it('setAttribute / setAttributes: valid values kept, invalid ones ignored, arrays copied', () => {
      const span = tracer().startSpan('attrs', { attributes: { 'at.start': 1 } });
      const list = ['a', 'b'];
      span.setAttribute('s', 'x').setAttribute('n', 2).setAttribute('b', false).setAttribute('list', list);
      span.setAttributes({ 'many.one': 1, 'many.two': 'two' });
      span.setAttribute('bad.object', { no: 1 } as never);
      span.setAttribute('bad.mixed', [1, 'a'] as never);
      span.setAttribute('bad.undefined', undefined as never);
      list.push('c');
      span.end();
      expect(last('attrs').attributes).toEqual({ 'at.start': 1, s: 'x', n: 2, b: false, list: ['a', 'b'], 'many.one': 1, 'many.two': 'two' });
    });

    it('addEvent with attributes and times; recordException makes the exception event', () => {
      const span = tracer().startSpan('events');
      const at = new Date(Date.now() - 5);
      span.addEvent('plain');
      span.addEvent('with attrs', { 'e.k': 'v' });
      span.addEvent('timed', at);
      span.addEvent('timed with attrs', { 'e.n': 3 }, [Math.floor(at.getTime() / 1000), (at.getTime() % 1000) * 1e6]);
      const err = new TypeError('bad input');
      span.recordException(err);
      span.recordException('plain text failure');
      span.end();
      const events = last('events').events;
      expect(events.map((e) => e.name)).toEqual(['plain', 'with attrs', 'timed', 'timed with attrs', 'exception', 'exception']);
      expect(events[1]!.attributes).toEqual({ 'e.k': 'v' });
      expect(Math.abs(events[2]!.time - at.getTime())).toBeLessThan(1);
      expect(Math.abs(events[3]!.time - at.getTime())).toBeLessThan(1);
      expect(events[3]!.attributes).toEqual({ 'e.n': 3 });
      expect(events[4]!.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad input' });
      expect(String(events[4]!.attributes['exception.stacktrace'])).toContain('TypeError: bad input');
      expect(events[5]!.attributes).toEqual({ 'exception.message': 'plain text failure' });
    });

    it('links from the options and added later, with attributes', () => {
      const a = tracer().startSpan('link target a');
      const b = tracer().startSpan('link target b');
      const span = tracer().startSpan('linked', { links: [{ context: a.spanContext(), attributes: { why: 'batch' } }] });
      span.addLink({ context: b.spanContext() });
      span.addLinks([{ context: a.spanContext(), attributes: { again: true } }]);
      span.end();
      a.end();
      b.end();
      expect(last('linked').links).toEqual([
        { traceId: a.spanContext().traceId, spanId: a.spanContext().spanId, attributes: { why: 'batch' } },
        { traceId: b.spanContext().traceId, spanId: b.spanContext().spanId },
        { traceId: a.spanContext().traceId, spanId: a.spanContext().spanId, attributes: { again: true } },
      ]);
    });

    it('setStatus: UNSET ignored, ERROR keeps its message, OK is final; updateName renames', () => {
      const e = tracer().startSpan('status error');
      e.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      e.setStatus({ code: SpanStatusCode.UNSET });
      e.end();
      expect(last('status error').status).toEqual({ code: 'error', message: 'boom' });
      const ok = tracer().startSpan('status ok');
      ok.setStatus({ code: SpanStatusCode.OK });
      ok.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
      ok.end();
      expect(last('status ok').status.code).toBe('ok');
      const renamed = tracer().startSpan('first name');
      renamed.updateName('second name');
      renamed.end();
      expect(count('first name')).toBe(0);
      expect(last('second name').status.code).toBe('unset');
    });

    it('start and end times given by the caller are kept; otherwise sub-millisecond and ordered', () => {
      const start = Date.now() - 1000;
      const given = tracer().startSpan('given times', { startTime: new Date(start) });
      given.end(new Date(start + 250));
      expect(last('given times').startTime).toBe(start);
      expect(last('given times').duration).toBeCloseTo(250, 3);
      const outer = tracer().startSpan('clock outer');
      const inner = tracer().startSpan('clock inner');
      inner.end();
      outer.end();
      const o = last('clock outer');
      const i = last('clock inner');
      expect(i.startTime).toBeGreaterThanOrEqual(o.startTime);
      expect(i.startTime + i.duration).toBeLessThanOrEqual(o.startTime + o.duration + 0.001);
      expect(Number.isInteger(o.startTime) && Number.isInteger(i.startTime) && o.duration === Math.round(o.duration)).toBe(false);
    });

    it('an ended span ignores every mutation and is delivered once', () => {
      const span = tracer().startSpan('ended');
      span.setAttribute('before', 1);
      span.end();
      span.setAttribute('after', 1);
      span.setAttributes({ after2: 1 });
      span.addEvent('after');
      span.addLink({ context: span.spanContext() });
      span.recordException(new Error('after'));
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'after' });
      span.updateName('renamed after end');
      span.end();
      expect(count('ended')).toBe(1);
      expect(count('renamed after end')).toBe(0);
      const rec = last('ended');
      expect(rec.attributes).toEqual({ before: 1 });
      expect(rec.events).toEqual([]);
      expect(rec.links ?? []).toEqual([]);
      expect(rec.status.code).toBe('unset');
    });
  });

  describe('context', () => {
    it('startActiveSpan: fn runs with the span active (across awaits), its result returned; getActiveSpan after is none', async () => {
      let seen: Span | undefined;
      const result = tracer().startActiveSpan('active', (span) => {
        seen = trace.getActiveSpan();
        span.end();
        return 42;
      });
      expect(result).toBe(42);
      expect(seen!.spanContext().spanId).toBe(last('active').spanId);
      const out = await tracer().startActiveSpan('active async', { kind: SpanKind.PRODUCER }, async (span) => {
        await new Promise((r) => setTimeout(r, 1));
        expect(trace.getActiveSpan()).toBe(span);
        const child = tracer().startSpan('active async child');
        child.end();
        span.end();
        return 'done';
      });
      expect(out).toBe('done');
      expect(last('active async').kind).toBe('producer');
      expect(last('active async child').parentSpanId).toBe(last('active async').spanId);
      expect(trace.getActiveSpan()).toBeUndefined();
    });

    it('startActiveSpan with an explicit context; options.root starts a new trace', () => {
      const parent = tracer().startSpan('explicit parent');
      tracer().startActiveSpan('explicit child', {}, trace.setSpan(ROOT_CONTEXT, parent), (span) => {
        tracer().startSpan('new root', { root: true }).end();
        span.end();
      });
      parent.end();
      expect(last('explicit child')).toMatchObject({ parentSpanId: last('explicit parent').spanId, traceId: last('explicit parent').traceId });
      expect(last('new root').parentSpanId).toBeUndefined();
      expect(last('new root').traceId).not.toBe(last('explicit parent').traceId);
    });

    it('inside a request: getActiveSpan is the server span; user spans and an OTel instrumentation\'s spans are its children', async () => {
      const probe = new ProbeInstrumentation();
      const s = p.tracing.startServerSpan(fakeReq('/orders/7'));
      let active: Span | undefined;
      await s.run(async () => {
        active = trace.getActiveSpan();
        active!.setAttribute('app.user', 'u1');
        await tracer().startActiveSpan('load order', async (user) => {
          await Promise.resolve();
          const query = probe.probeTracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } });
          await new Promise((r) => setImmediate(r));
          query.end();
          user.end();
        });
        s.setRoute('/orders/:id');
      });
      s.end(200);
      probe.disable();
      expect(active).toBe(s.span);
      const server = last('GET /orders/:id');
      const user = last('load order');
      const query = last('SELECT orders');
      expect(server).toMatchObject({ kind: 'server', service: 'conf' });
      expect(server.attributes).toMatchObject({ 'app.user': 'u1', 'http.route': '/orders/:id', 'http.response.status_code': 200, 'url.path': '/orders/7' });
      expect(user).toMatchObject({ traceId: server.traceId, parentSpanId: server.spanId, service: 'conf' });
      expect(query).toMatchObject({ traceId: server.traceId, parentSpanId: user.spanId, kind: 'client', service: 'conf' });
      expect(query.attributes).toEqual({ 'db.system.name': 'postgresql' });
    });

    it('W3C in: a valid traceparent is adopted with its tracestate; an invalid one starts a new trace', () => {
      const s = p.tracing.startServerSpan(fakeReq('/in', { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' }));
      const sc = s.span.spanContext();
      expect(sc.traceId).toBe(REMOTE_TRACE);
      expect(sc.traceState?.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
      s.end(200);
      expect(last('GET /in')).toMatchObject({ traceId: REMOTE_TRACE, parentSpanId: REMOTE_SPAN });
      const bad = p.tracing.startServerSpan(fakeReq('/in-bad', { traceparent: `00-${'0'.repeat(32)}-${REMOTE_SPAN}-01` }));
      bad.end(200);
      expect(last('GET /in-bad').traceId).not.toBe('0'.repeat(32));
      expect(last('GET /in-bad').parentSpanId).toBeUndefined();
    });

    it('W3C out: propagation.inject and an outgoing request carry the active span; the client span is the parent downstream', async () => {
      const s = p.tracing.startServerSpan(fakeReq('/out', { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`, tracestate: 'rojo=1' }));
      const carrier: Record<string, string> = {};
      await s.run(async () => {
        propagation.inject(context.active(), carrier);
        await httpGet(`${recorder.url}/downstream`);
      });
      s.end(200);
      const server = last('GET /out');
      expect(carrier.traceparent).toBe(`00-${REMOTE_TRACE}-${server.spanId}-01`);
      expect(carrier.tracestate).toBe('rojo=1');
      const req = await waitFor(() => recorder.requests.find((r) => r.url === '/downstream'));
      const client = await waitFor(() => p.spans.find((x) => x.kind === 'client' && x.traceId === REMOTE_TRACE && x.parentSpanId === server.spanId));
      expect(req.headers.traceparent).toBe(`00-${REMOTE_TRACE}-${client.spanId}-01`);
      expect(req.headers.tracestate).toBe('rojo=1');
    });
  });

  describe('head sampling (the provider\'s OTel Sampler)', () => {
    it('the sampler sees name, kind, attributes and links at start', () => {
      p.sampler.calls = [];
      const link = { context: { traceId: REMOTE_TRACE, spanId: REMOTE_SPAN, traceFlags: 1 } };
      tracer().startSpan('sampled with', { kind: SpanKind.CONSUMER, attributes: { 'msg.id': 'm1' }, links: [link] }).end();
      expect(p.sampler.calls).toEqual([{ name: 'sampled with', kind: SpanKind.CONSUMER, attributes: { 'msg.id': 'm1' }, links: 1 }]);
    });

    it('not sampled: a non-recording span, never delivered, that still carries the trace to children and downstream', async () => {
      p.sampler.current = new ParentBasedSampler({ root: new AlwaysOffSampler() });
      try {
        const before = p.spans.length;
        const s = p.tracing.startServerSpan(fakeReq('/unsampled'));
        expect(s.span.isRecording()).toBe(false);
        const traceId = s.span.spanContext().traceId;
        expect(traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(traceId).not.toBe('0'.repeat(32));
        let child: Span | undefined;
        const carrier: Record<string, string> = {};
        await s.run(async () => {
          child = tracer().startSpan('unsampled child');
          tracer().startActiveSpan('unsampled active', (span) => {
            expect(trace.getActiveSpan()).toBe(span);
            propagation.inject(context.active(), carrier);
            span.end();
          });
          await httpGet(`${recorder.url}/unsampled-downstream`);
        });
        child!.end();
        s.end(200);
        expect(child!.isRecording()).toBe(false);
        expect(child!.spanContext().traceId).toBe(traceId);
        expect(child!.spanContext().traceFlags & 1).toBe(0);
        expect(carrier.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[02]$`));
        const req = await waitFor(() => recorder.requests.find((r) => r.url === '/unsampled-downstream'));
        expect(String(req.headers.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[02]$`));
        await new Promise((r) => setTimeout(r, 10));
        expect(p.spans.slice(before).filter((x) => x.traceId === traceId)).toEqual([]);
      } finally {
        p.sampler.current = new ParentBasedSampler({ root: new AlwaysOnSampler() });
      }
    });

    it('parent-based: a remote parent\'s sampled flag decides, whatever the root sampler says', () => {
      p.sampler.current = new ParentBasedSampler({ root: new AlwaysOffSampler() });
      try {
        const s = p.tracing.startServerSpan(fakeReq('/follow', { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01` }));
        expect(s.span.isRecording()).toBe(true);
        s.end(200);
        expect(last('GET /follow').traceId).toBe(REMOTE_TRACE);
        const off = p.tracing.startServerSpan(fakeReq('/follow-off', { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-00` }));
        expect(off.span.isRecording()).toBe(false);
        expect(off.span.spanContext().traceId).toBe(REMOTE_TRACE);
        off.end(200);
        expect(count('GET /follow-off')).toBe(0);
      } finally {
        p.sampler.current = new ParentBasedSampler({ root: new AlwaysOnSampler() });
      }
    });

    it('trace id ratio decides per trace id, as the SDK sampler does', () => {
      const ratio = new TraceIdRatioBasedSampler(0.5);
      p.sampler.current = ratio;
      try {
        let agreed = 0;
        for (let i = 0; i < 40; i++) {
          const span = tracer().startSpan('ratio');
          const sc = span.spanContext();
          const expected = ratio.shouldSample(ROOT_CONTEXT, sc.traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
          if (span.isRecording() === expected && (sc.traceFlags & 1) === (expected ? 1 : 0)) agreed++;
          span.end();
        }
        expect(agreed).toBe(40);
      } finally {
        p.sampler.current = new ParentBasedSampler({ root: new AlwaysOnSampler() });
      }
    });

    it('RECORD: recorded and delivered with the sampled flag clear; the sampler\'s attributes are set', () => {
      p.sampler.current = {
        shouldSample: () => ({ decision: SamplingDecision.RECORD, attributes: { 'sampler.said': 'record' } }),
        toString: () => 'record-only',
      };
      try {
        const span = tracer().startSpan('record only', { attributes: { own: 1 } });
        expect(span.isRecording()).toBe(true);
        expect(span.spanContext().traceFlags & 1).toBe(0);
        span.end();
        expect(last('record only').attributes).toEqual({ own: 1, 'sampler.said': 'record' });
      } finally {
        p.sampler.current = new ParentBasedSampler({ root: new AlwaysOnSampler() });
      }
    });
  });

  describe('limits and redaction', () => {
    it('at most 128 attributes and 128 events per span (the oldest events make room)', () => {
      const span = tracer().startSpan('limits');
      for (let i = 0; i < 140; i++) span.setAttribute(`k${i}`, i);
      span.setAttribute('k0', 'overwritten'); // an existing key can still change
      for (let i = 0; i < 130; i++) span.addEvent(`e${i}`);
      span.end();
      const rec = last('limits');
      expect(Object.keys(rec.attributes)).toHaveLength(128);
      expect(rec.attributes.k0).toBe('overwritten');
      expect(rec.attributes.k127).toBe(127);
      expect(rec.attributes.k128).toBeUndefined();
      expect(rec.events).toHaveLength(128);
      expect(rec.events[0]!.name).toBe('e2');
      expect(rec.events.at(-1)!.name).toBe('e129');
    });

    it('secret keys and values redacted, long strings cut, in attributes, events, links and names', () => {
      const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
      const span = tracer().startSpan('redact', { attributes: { password: 'hunter2' } });
      span.setAttribute('app.card', '4111-1111');
      span.setAttribute('http.request.header.authorization', 'Bearer abc.def');
      span.setAttribute('note', `token is ${jwt}`);
      span.setAttribute('long', 'x'.repeat(MAX_ATTRIBUTE_LENGTH + 100));
      span.setAttribute('plain', 'kept');
      span.addEvent('login', { session: 's-1', user: 'u' });
      span.addLink({ context: span.spanContext(), attributes: { api_key: 'k' } });
      span.setStatus({ code: SpanStatusCode.ERROR, message: `failed with ${jwt}` });
      if (p.liveRecord) {
        // Native path: the record the span fills holds no secret even before the span ends.
        const live = p.liveRecord(span);
        expect(live.attributes.password).toBe(REDACTED);
        expect(live.attributes['app.card']).toBe(REDACTED);
        expect(JSON.stringify(live)).not.toContain('hunter2');
        expect(JSON.stringify(live)).not.toContain(jwt);
      }
      span.end();
      const rec = last('redact');
      expect(rec.attributes).toMatchObject({ password: REDACTED, 'app.card': REDACTED, 'http.request.header.authorization': REDACTED, plain: 'kept' });
      expect(String(rec.attributes.note)).not.toContain(jwt);
      expect(String(rec.attributes.long).length).toBeLessThanOrEqual(MAX_ATTRIBUTE_LENGTH + 40);
      expect(rec.events[0]!.attributes).toEqual({ session: REDACTED, user: 'u' });
      expect(rec.links![0]!.attributes).toEqual({ api_key: REDACTED });
      expect(rec.status.message).not.toContain(jwt);
      expect(JSON.stringify(rec)).not.toContain('hunter2');
    });

    it('a server span redacts secrets in the request: query parameters, user agent', () => {
      const s = p.tracing.startServerSpan(fakeReq('/login?token=abc123&page=2', { 'user-agent': 'curl/8', host: 'localhost:3000' }));
      s.end(200);
      const rec = last('GET /login');
      expect(String(rec.attributes['url.query'])).not.toContain('abc123');
      expect(String(rec.attributes['url.query'])).toContain('page=2');
      expect(rec.attributes).toMatchObject({ 'server.address': 'localhost', 'server.port': 3000, 'user_agent.original': 'curl/8' });
    });
  });
}
