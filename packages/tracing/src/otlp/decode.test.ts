import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  decodeOtlpJson,
  decodeOtlpProtobuf,
  decodeOtlpResponse,
  encodeOtlpProtobuf,
  encodeOtlpResponse,
  OtlpDecodeError,
} from './decode.js';

/** Real spans from the official SDK: a server span with a client child, an event, a link and an error. */
function sdkSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.id': 'i-1', 'telemetry.sdk.language': 'go' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('interop-test', '1.2.3');
  const root = tracer.startSpan('GET /cart', {
    kind: SpanKind.SERVER,
    attributes: { 'http.route': '/cart', 'http.response.status_code': 500, ok: true, ratio: 0.5, tags: ['a', 'b'] },
  });
  const child = tracer.startSpan(
    'SELECT cart',
    { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' }, links: [{ context: root.spanContext() }] },
    trace.setSpan(context.active(), root),
  );
  child.addEvent('retry', { attempt: 2 });
  child.end();
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  root.end();
  return exporter.getFinishedSpans();
}

function checkDecoded(spans: ReturnType<typeof decodeOtlpJson>['spans'], original: ReadableSpan[]) {
  expect(spans).toHaveLength(2);
  const root = spans.find((s) => s.name === 'GET /cart')!;
  const child = spans.find((s) => s.name === 'SELECT cart')!;
  const o = original.find((s) => s.name === 'GET /cart')!;
  expect(root.traceId).toBe(o.spanContext().traceId);
  expect(root.spanId).toBe(o.spanContext().spanId);
  expect(root.parentSpanId).toBeUndefined();
  expect(child.parentSpanId).toBe(root.spanId);
  expect(child.traceId).toBe(root.traceId);
  expect(root.kind).toBe('server');
  expect(child.kind).toBe('client');
  expect(root.service).toBe('checkout');
  expect(root.resource).toMatchObject({ 'service.instance.id': 'i-1', 'telemetry.sdk.language': 'go' });
  expect(root.attributes).toMatchObject({ 'http.route': '/cart', 'http.response.status_code': 500, ok: true, ratio: 0.5, tags: ['a', 'b'] });
  expect(root.attributes['otel.scope.name']).toBe('interop-test');
  expect(root.status).toEqual({ code: 'error', message: 'boom' });
  expect(child.events).toEqual([{ name: 'retry', time: expect.any(Number), attributes: { attempt: 2 } }]);
  expect(child.links).toEqual([{ traceId: root.traceId, spanId: root.spanId }]);
  const startMs = o.startTime[0] * 1000 + o.startTime[1] / 1e6;
  expect(root.startTime).toBeCloseTo(startMs, 3);
  expect(root.duration).toBeGreaterThanOrEqual(0);
}

describe('OTLP decoding, against the official serializers', () => {
  it('decodes what the official protobuf serializer writes', () => {
    const spans = sdkSpans();
    const body = ProtobufTraceSerializer.serializeRequest(spans)!;
    const r = decodeOtlpProtobuf(body);
    expect(r.rejectedSpans).toBe(0);
    checkDecoded(r.spans, spans);
  });

  it('decodes what the official JSON serializer writes', () => {
    const spans = sdkSpans();
    const body = JsonTraceSerializer.serializeRequest(spans)!;
    const r = decodeOtlpJson(body);
    expect(r.rejectedSpans).toBe(0);
    checkDecoded(r.spans, spans);
  });
});

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

function jsonRequest(spans: unknown[], resource: unknown = { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }) {
  return JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 's' }, spans }] }] });
}
const good = (over: Record<string, unknown> = {}) => ({
  traceId: TRACE, spanId: SPAN, name: 'op', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000005000000', ...over,
});

describe('OTLP JSON details', () => {
  it('accepts upper-case hex ids and enum names, normalises ids to lower case', () => {
    const r = decodeOtlpJson(jsonRequest([good({ traceId: TRACE.toUpperCase(), kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_OK' } })]));
    expect(r.spans[0]).toMatchObject({ traceId: TRACE, kind: 'client', status: { code: 'ok' }, duration: 5, startTime: 1_700_000_000_000 });
  });

  it('rejects bad spans one by one and keeps the rest, saying why', () => {
    const r = decodeOtlpJson(
      jsonRequest([
        good(),
        good({ traceId: '0'.repeat(32) }),
        good({ spanId: 'xyz' }),
        good({ parentSpanId: '123' }),
        good({ kind: 9 }),
        good({ startTimeUnixNano: 'soon' }),
        good({ attributes: 'nope' }),
        'not a span',
      ]),
    );
    expect(r.spans).toHaveLength(1);
    expect(r.rejectedSpans).toBe(7);
    expect(r.errorMessage).toMatch(/7 span\(s\) rejected: invalid traceId; invalid spanId; invalid parentSpanId/);
  });

  it('bounds strings, attribute counts and nesting', () => {
    const attrs = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'x'.repeat(10_000) } }));
    let deep: unknown = { stringValue: 'bottom' };
    for (let i = 0; i < 50; i++) deep = { arrayValue: { values: [deep] } };
    attrs.push({ key: 'deep', value: deep as { stringValue: string } });
    const r = decodeOtlpJson(jsonRequest([good({ attributes: attrs })]), { maxAttributes: 128, maxStringLength: 100 });
    const a = r.spans[0]!.attributes;
    expect(Object.keys(a)).toHaveLength(128 + 1); // and otel.scope.name
    expect((a.k0 as string).length).toBe(100);
  });

  it('gives the service from resource service.name, else unknown_service', () => {
    const r = decodeOtlpJson(jsonRequest([good()], {}));
    expect(r.spans[0]!.service).toBe('unknown_service');
  });

  it.each([
    ['not JSON', '{oops', /malformed JSON/],
    ['an array', '[]', /not an ExportTraceServiceRequest/],
    ['resourceSpans of the wrong type', '{"resourceSpans": 5}', /resourceSpans must be an array/],
    ['spans of the wrong type', jsonRequest(null as never).replace('"spans":null', '"spans":{}'), /spans must be an array/],
  ])('refuses %s as a whole with a message', (_label, body, msg) => {
    expect(() => decodeOtlpJson(body)).toThrow(OtlpDecodeError);
    expect(() => decodeOtlpJson(body)).toThrow(msg);
  });

  it('refuses more spans than the limit in one request', () => {
    expect(() => decodeOtlpJson(jsonRequest([good(), good(), good()]), { maxSpans: 2 })).toThrow(/more than 2 spans/);
  });
});

describe('OTLP protobuf details', () => {
  it('round-trips through encodeOtlpProtobuf', () => {
    const req = JSON.parse(jsonRequest([good({ parentSpanId: 'aaaaaaaaaaaaaaaa' })]));
    const r = decodeOtlpProtobuf(encodeOtlpProtobuf(req));
    expect(r.spans[0]).toMatchObject({ traceId: TRACE, spanId: SPAN, parentSpanId: 'aaaaaaaaaaaaaaaa', kind: 'server', duration: 5 });
  });

  it('refuses random bytes, truncated bodies and gzip without inflating with a message, never a crash', () => {
    const valid = encodeOtlpProtobuf(JSON.parse(jsonRequest([good(), good({ spanId: 'aaaaaaaaaaaaaaab' })])));
    const bodies: Uint8Array[] = [valid.subarray(0, valid.length - 7), gzipSync(valid)];
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 300; i++) bodies.push(Uint8Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
    let refused = 0;
    for (const b of bodies) {
      try {
        const r = decodeOtlpProtobuf(b);
        expect(Array.isArray(r.spans)).toBe(true); // random bytes can be a valid (mostly empty) message
      } catch (err) {
        expect(err).toBeInstanceOf(OtlpDecodeError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  });
});

describe('OTLP responses', () => {
  it('encodes partialSuccess in protobuf and JSON', () => {
    const pb = decodeOtlpResponse(encodeOtlpResponse('protobuf', 3, 'bad ids') as Uint8Array);
    expect(Number(pb.partialSuccess?.rejectedSpans)).toBe(3);
    expect(pb.partialSuccess?.errorMessage).toBe('bad ids');
    expect(JSON.parse(encodeOtlpResponse('json', 3, 'bad ids') as string)).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: 'bad ids' } });
    expect(encodeOtlpResponse('json')).toBe('{}');
    expect((encodeOtlpResponse('protobuf') as Uint8Array).length).toBe(0);
  });
});
