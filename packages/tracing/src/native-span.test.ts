import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  context,
  ROOT_CONTEXT,
  SamplingDecision,
  SpanKind,
  SpanStatusCode,
  trace,
  type Sampler,
  type Span,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { MAX_ATTRIBUTE_LENGTH, REDACTED, Redactor, type SpanRecord } from '@debugpanel/model';
import { ATTRIBUTE_COUNT_LIMIT, EVENT_COUNT_LIMIT, NativeSpan, NativeTracerProvider, type SpanHome } from './native-span.js';
import { Sink } from './processor.js';
import { setupTracing, type PanelTracing } from './setup.js';
import { parseTracestate } from './tracestate.js';

const fakeReq = (url: string, headers: Record<string, string> = {}) =>
  ({ method: 'GET', url, headers, httpVersion: '1.1', socket: { remoteAddress: '127.0.0.1' } }) as never;

/** A provider of its own (not registered) with one sink, to try samplers side by side. */
function isolated(sampler: Sampler = new AlwaysOnSampler()) {
  const spans: SpanRecord[] = [];
  const sink = new Sink('iso', (s) => spans.push(s), new Redactor(['card']), undefined);
  const home: SpanHome = { sinks: new Set([sink]), redactor: new Redactor(['card']), limited: { attributes: 0, events: 0, links: 0 } };
  const tracer = new NativeTracerProvider(home, sampler).getTracer('test');
  return { spans, home, tracer };
}

/** Taken at import, before any provider is registered, as OTel instrumentations take theirs. */
const earlyTracer = trace.getTracer('@opentelemetry/instrumentation-early', '1.0.0');

describe('native spans through @opentelemetry/api (the panel provider is global)', () => {
  const spans: SpanRecord[] = [];
  let tracing: PanelTracing;
  beforeAll(() => {
    tracing = setupTracing({ service: 'native', onSpan: (s) => spans.push(s), instrument: false });
  });
  afterAll(() => tracing.shutdown());
  const last = (name: string) => spans.filter((s) => s.name === name).at(-1)!;

  it('is the tracer every scope gets from the global provider', () => {
    expect(tracing.active).toBe(true);
    const span = trace.getTracer('@opentelemetry/instrumentation-pg', '0.50.0').startSpan('probe');
    expect(span).toBeInstanceOf(NativeSpan);
    span.end();
  });

  it('a tracer taken before the panel registered its provider (the API proxy) makes native spans too', () => {
    const s = tracing.startServerSpan(fakeReq('/early'));
    s.run(() => earlyTracer.startActiveSpan('early child', (span) => span.end()));
    s.end(200);
    expect(last('early child')).toMatchObject({ parentSpanId: last('GET /early').spanId, service: 'native' });
  });

  it('startActiveSpan runs fn with the span active, returns its result, and getActiveSpan sees it', async () => {
    const tracer = trace.getTracer('app');
    let seen: Span | undefined;
    const result = tracer.startActiveSpan('outer', (span) => {
      seen = trace.getActiveSpan();
      span.end();
      return 42;
    });
    expect(result).toBe(42);
    expect(seen).toBeDefined();
    expect(last('outer').spanId).toBe(seen!.spanContext().spanId);
    const asyncResult = await tracer.startActiveSpan('async', { kind: SpanKind.CONSUMER }, async (span) => {
      await new Promise((r) => setTimeout(r, 1));
      expect(trace.getActiveSpan()).toBe(span);
      span.end();
      return 'done';
    });
    expect(asyncResult).toBe('done');
    expect(last('async').kind).toBe('consumer');
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('startActiveSpan with an explicit parent context', () => {
    const tracer = trace.getTracer('app');
    const parent = tracer.startSpan('explicit-parent');
    tracer.startActiveSpan('explicit-child', {}, trace.setSpan(ROOT_CONTEXT, parent), (span) => span.end());
    parent.end();
    expect(last('explicit-child').parentSpanId).toBe(last('explicit-parent').spanId);
  });

  it('child spans of a user span and of the server span keep trace, parent and service, across awaits', async () => {
    const s = tracing.startServerSpan(fakeReq('/orders/7'));
    await s.run(async () => {
      trace.getActiveSpan()!.setAttribute('app.user', 'u1');
      await trace.getTracer('app').startActiveSpan('load order', async (user) => {
        await Promise.resolve();
        // An instrumentation's span (their tracer comes from the global provider, like pg's).
        const query = trace.getTracer('@opentelemetry/instrumentation-pg').startSpan('SELECT orders', {
          kind: SpanKind.CLIENT,
          attributes: { 'db.system.name': 'postgresql' },
        });
        await new Promise((r) => setImmediate(r));
        query.end();
        user.end();
      });
      s.setRoute('/orders/:id');
    });
    s.end(200);
    const server = last('GET /orders/:id');
    const user = last('load order');
    const query = last('SELECT orders');
    expect(server.attributes['app.user']).toBe('u1');
    expect(user).toMatchObject({ traceId: server.traceId, parentSpanId: server.spanId, service: 'native', kind: 'internal' });
    expect(query).toMatchObject({ traceId: server.traceId, parentSpanId: user.spanId, service: 'native', kind: 'client' });
    expect(query.attributes).toEqual({ 'db.system.name': 'postgresql' });
  });

  it('spanContext(): valid ids, sampled and random flags for a new trace; isRecording until end', () => {
    const span = trace.getTracer('app').startSpan('ctx');
    const sc = span.spanContext();
    expect(sc.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(sc.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(sc.traceFlags).toBe(0x03);
    expect(span.isRecording()).toBe(true);
    span.end();
    expect(span.isRecording()).toBe(false);
    expect(last('ctx')).toMatchObject({ traceId: sc.traceId, spanId: sc.spanId });
  });

  it('a remote parent: its trace, its random flag (not set here) and its tracestate', () => {
    const s = tracing.startServerSpan(
      fakeReq('/remote', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'rojo=1' }),
    );
    const sc = s.span.spanContext();
    expect(sc.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(sc.traceFlags).toBe(0x01);
    expect(sc.traceState?.serialize()).toBe('rojo=1');
    s.end(200);
    expect(last('GET /remote').parentSpanId).toBe('00f067aa0ba902b7');
  });

  it('options.root starts a new trace inside an active span', () => {
    const tracer = trace.getTracer('app');
    tracer.startActiveSpan('active', (active) => {
      const root = tracer.startSpan('rooted', { root: true });
      expect(root.spanContext().traceId).not.toBe(active.spanContext().traceId);
      root.end();
      active.end();
    });
    expect(last('rooted').parentSpanId).toBeUndefined();
  });

  it('suppressed tracing gives a non-recording span that is never delivered', () => {
    const before = spans.length;
    const span = trace.getTracer('app').startSpan('hidden', {}, suppressTracing(ROOT_CONTEXT));
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(spans.length).toBe(before);
  });

  it('attributes: invalid values ignored, arrays copied, secret keys redacted and strings cut as they are set', () => {
    const list = ['a', 'b'];
    const span = trace.getTracer('app').startSpan('attrs', { attributes: { 'db.password': 'pw', given: 1 } });
    span.setAttribute('list', list);
    list.push('c');
    span.setAttribute('mixed', ['a', 1] as never);
    span.setAttribute('obj', { a: 1 } as never);
    span.setAttribute('nothing', undefined as never);
    span.setAttribute('', 'empty key');
    span.setAttributes({ long: 'x'.repeat(MAX_ATTRIBUTE_LENGTH + 10), flag: true, api_key: 'k' });
    span.updateName('attrs2');
    span.end();
    span.setAttribute('late', 1);
    const rec = last('attrs2');
    expect(rec.attributes).toEqual({
      'db.password': REDACTED,
      given: 1,
      list: ['a', 'b'],
      long: 'x'.repeat(MAX_ATTRIBUTE_LENGTH),
      flag: true,
      api_key: REDACTED,
    });
  });

  it(`keeps at most ${ATTRIBUTE_COUNT_LIMIT} attributes and ${EVENT_COUNT_LIMIT} events (oldest dropped), counting what it dropped`, () => {
    const before = tracing.stats();
    const span = trace.getTracer('app').startSpan('limits');
    for (let i = 0; i < ATTRIBUTE_COUNT_LIMIT + 5; i++) span.setAttribute(`k${i}`, i);
    span.setAttribute('k0', 'updated'); // an existing key may still change
    for (let i = 0; i < EVENT_COUNT_LIMIT + 3; i++) span.addEvent(`e${i}`);
    span.end();
    const rec = last('limits');
    expect(Object.keys(rec.attributes)).toHaveLength(ATTRIBUTE_COUNT_LIMIT);
    expect(rec.attributes.k0).toBe('updated');
    expect(rec.events).toHaveLength(EVENT_COUNT_LIMIT);
    expect(rec.events[0]!.name).toBe('e3');
    const after = tracing.stats();
    expect(after.limitedAttributes - before.limitedAttributes).toBe(5);
    expect(after.limitedEvents - before.limitedEvents).toBe(3);
  });

  it('events: attributes (redacted), times as Date, epoch ms, HrTime or performance.now(), else the span clock', () => {
    const span = trace.getTracer('app').startSpan('events');
    const start = span instanceof NativeSpan ? span.record.startTime : 0;
    span.addEvent('plain');
    span.addEvent('with-attrs', { token: 't', n: 1 });
    span.addEvent('date', new Date(1_700_000_000_000));
    span.addEvent('epoch', { a: 'b' }, 1_700_000_000_500);
    span.addEvent('hr', [1_700_000_001, 500_000_000]);
    span.addEvent('perf', performance.now());
    span.end();
    const [plain, withAttrs, date, epoch, hr, perf] = last('events').events;
    expect(plain!.time).toBeGreaterThanOrEqual(start);
    expect(withAttrs!.attributes).toEqual({ token: REDACTED, n: 1 });
    expect(date!.time).toBe(1_700_000_000_000);
    expect(epoch).toEqual({ name: 'epoch', time: 1_700_000_000_500, attributes: { a: 'b' } });
    expect(hr!.time).toBe(1_700_000_001_500);
    expect(Math.abs(perf!.time - Date.now())).toBeLessThan(1000);
  });

  it('recordException makes the SDK-shaped exception event; setStatus: UNSET ignored, ERROR message kept, OK final', () => {
    const span = trace.getTracer('app').startSpan('exc');
    const err = Object.assign(new RangeError('too far'), { code: 'E_FAR' });
    span.recordException(err);
    span.recordException('just text');
    span.recordException({} as never); // neither type nor message: nothing
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'too far' });
    span.setStatus({ code: SpanStatusCode.UNSET });
    span.end();
    const rec = last('exc');
    expect(rec.status).toEqual({ code: 'error', message: 'too far' });
    expect(rec.events.map((e) => e.name)).toEqual(['exception', 'exception']);
    expect(rec.events[0]!.attributes).toMatchObject({ 'exception.type': 'E_FAR', 'exception.message': 'too far' });
    expect(String(rec.events[0]!.attributes['exception.stacktrace'])).toContain('RangeError: too far');
    expect(rec.events[1]!.attributes).toEqual({ 'exception.message': 'just text' });

    const ok = trace.getTracer('app').startSpan('ok');
    ok.setStatus({ code: SpanStatusCode.OK });
    ok.setStatus({ code: SpanStatusCode.ERROR, message: 'late' });
    ok.end();
    expect(last('ok').status).toEqual({ code: 'ok' });
  });

  it('links, from the options and added later, with their attributes', () => {
    const tracer = trace.getTracer('app');
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    const span = tracer.startSpan('linked', { links: [{ context: a.spanContext(), attributes: { why: 'batch', secret: 's' } }] });
    span.addLink({ context: b.spanContext() });
    span.addLinks([{ context: a.spanContext() }]);
    span.end();
    a.end();
    b.end();
    expect(last('linked').links).toEqual([
      { traceId: a.spanContext().traceId, spanId: a.spanContext().spanId, attributes: { why: 'batch', secret: REDACTED } },
      { traceId: b.spanContext().traceId, spanId: b.spanContext().spanId },
      { traceId: a.spanContext().traceId, spanId: a.spanContext().spanId },
    ]);
  });

  it('start and end times given by the caller; starts otherwise sub-millisecond and ordered', () => {
    const tracer = trace.getTracer('app');
    const given = tracer.startSpan('given', { startTime: new Date(1_700_000_000_000) });
    given.end(1_700_000_000_250.5);
    expect(last('given')).toMatchObject({ startTime: 1_700_000_000_000, duration: 250.5 });
    const starts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s = tracer.startSpan('seq');
      s.end();
      starts.push(last('seq').startTime);
    }
    for (let i = 1; i < starts.length; i++) expect(starts[i]!).toBeGreaterThan(starts[i - 1]!);
    expect(starts.some((t) => t % 1 !== 0)).toBe(true);
    expect(Math.abs(starts[0]! - Date.now())).toBeLessThan(1000);
  });

  it('end() twice delivers once; the record is the one the span filled', () => {
    const before = spans.length;
    const span = trace.getTracer('app').startSpan('twice');
    span.end();
    span.end();
    expect(spans.length).toBe(before + 1);
    expect(spans.at(-1)).toBe((span as NativeSpan).record);
  });
});

describe('head sampling decides the sampled flag of native spans', () => {
  const remote = (flags: string) =>
    trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: parseInt(flags, 16),
      isRemote: true,
      traceState: parseTracestate('rojo=1'),
    });

  it('always on: recorded and sampled', () => {
    const { tracer, spans } = isolated(new AlwaysOnSampler());
    const span = tracer.startSpan('on');
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceFlags).toBe(0x03);
    span.end();
    expect(spans).toHaveLength(1);
  });

  it('always off: a non-recording span with a fresh span id that still carries the trace on, never delivered', () => {
    const { tracer, spans } = isolated(new AlwaysOffSampler());
    const span = tracer.startSpan('off', {}, remote('03'));
    expect(span.isRecording()).toBe(false);
    expect(span).not.toBeInstanceOf(NativeSpan);
    const sc = span.spanContext();
    expect(sc).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', traceFlags: 0x02 });
    expect(sc.spanId).not.toBe('00f067aa0ba902b7');
    expect(sc.traceState?.serialize()).toBe('rojo=1');
    span.end();
    expect(spans).toHaveLength(0);
  });

  it.each([
    ['00', 0x00, false],
    ['01', 0x01, true],
    ['02', 0x02, false],
    ['03', 0x03, true],
  ])('parent-based follows a remote parent with flags %s', (flags, expected, recorded) => {
    const { tracer, spans } = isolated(new ParentBasedSampler({ root: new AlwaysOnSampler() }));
    const span = tracer.startSpan('child', {}, remote(flags));
    expect(span.spanContext().traceFlags).toBe(expected);
    expect(span.isRecording()).toBe(recorded);
    span.end();
    expect(spans).toHaveLength(recorded ? 1 : 0);
  });

  it('trace id ratio decides per trace id, as the SDK sampler does; the sampler sees name, kind and attributes', () => {
    const seen: unknown[] = [];
    const ratio = new TraceIdRatioBasedSampler(0.5);
    const spy: Sampler = {
      shouldSample(ctx, traceId, name, kind, attributes, links) {
        seen.push({ name, kind, attributes });
        return ratio.shouldSample(ctx, traceId);
      },
    };
    const { tracer } = isolated(spy);
    let sampled = 0;
    for (let i = 0; i < 400; i++) {
      const span = tracer.startSpan('r', { kind: SpanKind.PRODUCER, attributes: { i } });
      const expected = ratio.shouldSample(ROOT_CONTEXT, span.spanContext().traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
      expect((span.spanContext().traceFlags & 1) === 1).toBe(expected);
      if (expected) sampled++;
      span.end();
    }
    expect(sampled).toBeGreaterThan(100);
    expect(sampled).toBeLessThan(300);
    expect(seen[0]).toEqual({ name: 'r', kind: SpanKind.PRODUCER, attributes: { i: 0 } });
  });

  it('RECORD (as recordAll makes of "not sampled"): recorded and delivered, flag not sampled; sampler attributes and tracestate applied', () => {
    const recordOnly: Sampler = {
      shouldSample: () => ({
        decision: SamplingDecision.RECORD,
        attributes: { 'sampler.note': 'kept for the panel' },
        traceState: parseTracestate('panel=1,rojo=1'),
      }),
    };
    const { tracer, spans } = isolated(recordOnly);
    const span = tracer.startSpan('record-only', { attributes: { 'sampler.note': 'overridden' } }, remote('01'));
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext().traceFlags).toBe(0x00);
    expect(span.spanContext().traceState?.serialize()).toBe('panel=1,rojo=1');
    span.end();
    expect(spans[0]!.attributes).toEqual({ 'sampler.note': 'kept for the panel' });
  });
});

describe('native spans with several panels', () => {
  it('a span started outside any request goes to every sink, named after each service, each with its own record', () => {
    const a: SpanRecord[] = [];
    const b: SpanRecord[] = [];
    const sinkA = new Sink('a', (s) => a.push(s), new Redactor(), undefined);
    const sinkB = new Sink('b', (s) => b.push(s), new Redactor(), undefined);
    const home: SpanHome = { sinks: new Set([sinkA, sinkB]), redactor: new Redactor(), limited: { attributes: 0, events: 0, links: 0 } };
    const tracer = new NativeTracerProvider(home, new AlwaysOnSampler()).getTracer('t');
    context.with(ROOT_CONTEXT, () => tracer.startSpan('bg', { attributes: { x: 1 } }).end());
    expect(a.map((s) => s.service)).toEqual(['a']);
    expect(b.map((s) => s.service)).toEqual(['b']);
    expect(a[0]).not.toBe(b[0]);
    expect(a[0]!.spanId).toBe(b[0]!.spanId);
  });
});
