/**
 * OTLP load for the hub rows, from its own process: spans made by a real OTel tracer, encoded once
 * by the official serializers (@opentelemetry/otlp-transformer) into batches of 512 with distinct
 * ids, then POSTed to `{hub}/_debug/v1/traces` by several concurrent senders for a fixed time.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { generateSpans } from '../fixtures.js';
import { serveIpc } from '../ipc.js';

const BATCH = 512;
const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER };

function makeBatches(count: number): ReadableSpan[][] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench-hub');
  generateSpans(41, Math.ceil((count * BATCH) / 10), { spans: 10 }, (s) => {
    const ctx = s.parentSpanId === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: TraceFlags.SAMPLED });
    tracer.startSpan(s.name, { kind: KINDS[s.kind], attributes: s.attributes, startTime: s.startTime }, ctx).end(s.startTime + s.duration);
  });
  const spans = exporter.getFinishedSpans();
  const out: ReadableSpan[][] = [];
  for (let i = 0; i + BATCH <= spans.length && out.length < count; i += BATCH) out.push(spans.slice(i, i + BATCH));
  return out;
}

const batches = makeBatches(40);
const bodies = {
  protobuf: batches.map((b) => new Uint8Array(ProtobufTraceSerializer.serializeRequest(b)!)),
  json: batches.map((b) => new Uint8Array(JsonTraceSerializer.serializeRequest(b)!)),
};
const TYPES = { protobuf: 'application/x-protobuf', json: 'application/json' };

serveIpc(async (msg) => {
  const encoding = msg.encoding as 'protobuf' | 'json';
  const url = String(msg.url);
  const end = performance.now() + Number(msg.seconds) * 1000;
  let accepted = 0;
  let refused = 0;
  let throttled = 0;
  let failed = 0;
  let next = 0;
  const start = performance.now();
  const sender = async (): Promise<void> => {
    while (performance.now() < end) {
      const body = bodies[encoding][next++ % bodies[encoding].length]!;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': TYPES[encoding] }, body });
      await res.arrayBuffer();
      if (res.status === 200) accepted += BATCH;
      else if (res.status === 429) throttled++;
      else if (res.status >= 400 && res.status < 500) refused++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Number(msg.concurrency) }, sender));
  const seconds = (performance.now() - start) / 1000;
  return { spansPerSecond: accepted / seconds, throttled, refused, failed, bodyBytes: bodies[encoding][0]!.length };
});
