/**
 * Memory worker, run with --expose-gc in a fresh process per sample:
 * - `store`: heap held per span by a SpanStore holding n spans;
 * - `otel`: heap held per span by OTel's InMemorySpanExporter holding the same n spans, made by a
 *   real tracer (BasicTracerProvider + SimpleSpanProcessor), as a user of the SDK would hold them;
 * - `flood`: RSS while spans worth many times the store's byte budget flow through it.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Context as OtelContext } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateSpans, toRecord, type TraceShape } from '../fixtures.js';
import { serveIpc } from '../ipc.js';
import { loadStore } from './store-api.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('the memory worker needs node --expose-gc');

/** Heap after gc, plus what ArrayBuffers hold outside it (a store may keep columns in typed arrays). */
function settle(): number {
  for (let i = 0; i < 3; i++) gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const SHAPE: TraceShape = { spans: 10 };
const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER };

async function storePerSpan(n: number): Promise<Record<string, number>> {
  const { SpanStore } = await loadStore();
  const store = new SpanStore({ maxSpans: n * 2, maxBytes: 2 ** 31 });
  const before = settle();
  generateSpans(1, Math.ceil(n / SHAPE.spans), SHAPE, (s) => store.add(toRecord(s)));
  const after = settle();
  const stats = store.stats();
  return { perSpan: (after - before) / stats.spans, estimatePerSpan: stats.bytes / stats.spans, spans: stats.spans };
}

async function otelPerSpan(n: number): Promise<Record<string, number>> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench');
  const before = settle();
  generateSpans(1, Math.ceil(n / SHAPE.spans), SHAPE, (s) => {
    let ctx: OtelContext = ROOT_CONTEXT;
    if (s.parentSpanId !== undefined) {
      ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: TraceFlags.SAMPLED });
    }
    const span = tracer.startSpan(s.name, { kind: KINDS[s.kind], attributes: s.attributes, startTime: s.startTime }, ctx);
    if (s.error) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.end(s.startTime + s.duration);
  });
  await provider.forceFlush();
  const after = settle();
  const spans = exporter.getFinishedSpans().length;
  return { perSpan: (after - before) / spans, spans };
}

async function flood(budget: number, fills: number): Promise<Record<string, unknown>> {
  const { SpanStore } = await loadStore();
  const store = new SpanStore({ maxSpans: 50_000_000, maxBytes: budget });
  const rss: number[] = [];
  /** RSS after every batch once the budget is full: many samples per GC saw-tooth */
  const dense: number[] = [];
  const heapStart = settle();
  let seed = 1;
  let next = 1;
  while (next <= fills) {
    generateSpans(seed++, 500, SHAPE, (s) => store.add(toRecord(s)));
    const st = store.stats();
    if (next > 1) dense.push(process.memoryUsage().rss);
    if (st.bytes + st.evictedBytes >= next * budget) {
      rss.push(process.memoryUsage().rss);
      next++;
    }
  }
  const heapEnd = settle();
  return { rss, dense, heapStart, heapEnd, stats: store.stats() };
}

serveIpc(async (msg) => {
  switch (msg.mode) {
    case 'store':
      return storePerSpan(Number(msg.n));
    case 'otel':
      return otelPerSpan(Number(msg.n));
    case 'flood':
      return flood(Number(msg.budget), Number(msg.fills));
    default:
      throw new Error(`unknown mode ${String(msg.mode)}`);
  }
});
