import { describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes, defaultResource } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { hrTimeToMs, toSpanRecord } from './convert.js';

function readable(overrides: Partial<ReadableSpan> = {}): ReadableSpan {
  const start: HrTime = [1_700_000_000, 250_000_000];
  const end: HrTime = [1_700_000_001, 500_500_000];
  return {
    name: 'GET /orders/:id',
    kind: SpanKind.SERVER,
    spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }),
    parentSpanContext: { traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), traceFlags: 1, isRemote: true },
    startTime: start,
    endTime: end,
    duration: [1, 250_500_000],
    status: { code: SpanStatusCode.ERROR, message: 'boom' },
    attributes: { 'http.route': '/orders/:id', n: 3, list: ['a', 'b'] },
    links: [
      { context: { traceId: 'd'.repeat(32), spanId: 'e'.repeat(16), traceFlags: 1 }, attributes: { why: 'batch' } },
      { context: { traceId: 'f'.repeat(32), spanId: '1'.repeat(16), traceFlags: 0 } },
    ],
    events: [{ name: 'exception', time: [1_700_000_000, 750_000_000], attributes: { 'exception.type': 'Error' } }],
    ended: true,
    resource: resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'i-1', 'host.name': 'h' }),
    instrumentationScope: { name: 'test' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  };
}

describe('hrTimeToMs', () => {
  it('converts [s, ns] to float milliseconds', () => {
    expect(hrTimeToMs([1, 500_000])).toBe(1000.5);
    expect(hrTimeToMs([0, 0])).toBe(0);
  });
});

describe('toSpanRecord', () => {
  it('converts every field of an ended span', () => {
    expect(toSpanRecord(readable(), 'fallback')).toEqual({
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      parentSpanId: 'c'.repeat(16),
      name: 'GET /orders/:id',
      kind: 'server',
      service: 'orders',
      startTime: 1_700_000_000_250,
      duration: 1250.5,
      status: { code: 'error', message: 'boom' },
      attributes: { 'http.route': '/orders/:id', n: 3, list: ['a', 'b'] },
      events: [{ name: 'exception', time: 1_700_000_000_750, attributes: { 'exception.type': 'Error' } }],
      links: [
        { traceId: 'd'.repeat(32), spanId: 'e'.repeat(16), attributes: { why: 'batch' } },
        { traceId: 'f'.repeat(32), spanId: '1'.repeat(16) },
      ],
      resource: { 'service.instance.id': 'i-1', 'host.name': 'h' },
    });
  });

  it.each([
    [SpanKind.INTERNAL, 'internal'],
    [SpanKind.SERVER, 'server'],
    [SpanKind.CLIENT, 'client'],
    [SpanKind.PRODUCER, 'producer'],
    [SpanKind.CONSUMER, 'consumer'],
  ])('maps kind %i to %s', (kind, name) => {
    expect(toSpanRecord(readable({ kind }), 'x').kind).toBe(name);
  });

  it.each([
    [SpanStatusCode.UNSET, { code: 'unset' }],
    [SpanStatusCode.OK, { code: 'ok' }],
  ])('maps status %i without an empty message', (code, status) => {
    expect(toSpanRecord(readable({ status: { code } }), 'x').status).toEqual(status);
  });

  it('uses the fallback service for the SDK placeholder name and omits absent parts', () => {
    const rec = toSpanRecord(
      readable({ resource: resourceFromAttributes({ 'service.name': 'unknown_service:node' }), parentSpanContext: undefined, links: [], events: [] }),
      'shop',
    );
    expect(rec.service).toBe('shop');
    expect(rec).not.toHaveProperty('parentSpanId');
    expect(rec).not.toHaveProperty('links');
    expect(rec).not.toHaveProperty('resource');
    expect(rec.events).toEqual([]);
  });

  it('shares one frozen status object per code without a message, and one frozen empty events array', () => {
    const a = toSpanRecord(readable({ status: { code: SpanStatusCode.UNSET }, events: [] }), 'x');
    const b = toSpanRecord(readable({ status: { code: SpanStatusCode.UNSET }, events: [] }), 'x');
    expect(a.status).toBe(b.status);
    expect(a.events).toBe(b.events);
    expect(Object.isFrozen(a.status) && Object.isFrozen(a.events)).toBe(true);
    expect(() => a.events.push({ name: 'e', time: 0, attributes: {} })).toThrow(TypeError);
    const ok = toSpanRecord(readable({ status: { code: SpanStatusCode.OK } }), 'x');
    expect(ok.status).toEqual({ code: 'ok' });
    expect(ok.status).not.toBe(a.status);
    // A message is per span: a fresh object.
    const e1 = toSpanRecord(readable(), 'x');
    const e2 = toSpanRecord(readable(), 'x');
    expect(e1.status).toEqual({ code: 'error', message: 'boom' });
    expect(e1.status).not.toBe(e2.status);
    expect(e1.events).not.toBe(e2.events);
  });

  it('builds every record with its keys in one order, optional keys only when present', () => {
    const full = toSpanRecord(readable({ links: [] }), 'x');
    expect(Object.keys(full)).toEqual([
      'traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'service', 'startTime', 'duration', 'status', 'attributes', 'events', 'resource',
    ]);
    const bare = toSpanRecord(readable({ links: [], parentSpanContext: undefined, resource: resourceFromAttributes({ 'service.name': 'svc' }) }), 'x');
    expect(Object.keys(bare)).toEqual(['traceId', 'spanId', 'name', 'kind', 'service', 'startTime', 'duration', 'status', 'attributes', 'events']);
    expect(Object.keys(toSpanRecord(readable(), 'x')).at(-1)).toBe('links');
  });

  it('reads parentSpanId from SDK 1.x spans', () => {
    const legacy = { ...readable({ parentSpanContext: undefined }), parentSpanId: '9'.repeat(16) };
    expect(toSpanRecord(legacy, 'x').parentSpanId).toBe('9'.repeat(16));
  });

  it('converts a real SDK span with the default resource', () => {
    const ended: ReadableSpan[] = [];
    const provider = new BasicTracerProvider({
      resource: defaultResource(),
      spanProcessors: [{ onStart() {}, onEnd: (s) => ended.push(s), forceFlush: async () => {}, shutdown: async () => {} }],
    });
    const tracer = provider.getTracer('t');
    const parent = tracer.startSpan('parent');
    const before = Date.now();
    parent.addEvent('tick', { n: 1 });
    parent.end();
    const rec = toSpanRecord(ended[0]!, 'svc');
    expect(rec).toMatchObject({ name: 'parent', kind: 'internal', service: 'svc', status: { code: 'unset' } });
    expect(rec.events[0]).toMatchObject({ name: 'tick', attributes: { n: 1 } });
    expect(Math.abs(rec.events[0]!.time - before)).toBeLessThan(1000);
    expect(rec.resource?.['telemetry.sdk.language']).toBe('nodejs');
    expect(rec.duration).toBeGreaterThanOrEqual(0);
  });
});

describe('toSpanRecord start times', () => {
  it('orders sequential spans started within one millisecond (the SDK stamps whole ms)', async () => {
    const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
    for (let i = 0; i < 40; i++) {
      const a = tracer.startSpan('a');
      const until = performance.now() + 0.05;
      while (performance.now() < until); // a short statement
      a.end();
      tracer.startSpan('b').end();
    }
    const spans = exporter.getFinishedSpans().map((s) => toSpanRecord(s, 'svc'));
    for (let i = 0; i < spans.length; i += 2) {
      const a = spans[i]!;
      const b = spans[i + 1]!;
      expect(b.startTime).toBeGreaterThanOrEqual(a.startTime + a.duration - 0.001);
      expect(Math.abs(a.startTime - Date.now())).toBeLessThan(60_000);
    }
  });
});
