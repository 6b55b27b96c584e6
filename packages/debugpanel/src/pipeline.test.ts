import type { SpanRecord, StreamEvents, TraceSummary } from '@debugpanel/model';
import { SpanStore } from '@debugpanel/span-store';
import { describe, expect, it } from 'vitest';
import { context, createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { setupTracing } from '@debugpanel/tracing';
import { createPipeline, type SpanBatchConsumer } from './pipeline.js';
import { SseHub } from './sse.js';

let seq = 0;
function root(extra: Partial<SpanRecord> = {}): SpanRecord {
  seq++;
  return {
    traceId: seq.toString(16).padStart(32, '0'),
    spanId: seq.toString(16).padStart(16, '0'),
    name: 'GET /x',
    kind: 'server',
    service: 'pipe-test',
    startTime: 1_700_000_000_000 + seq,
    duration: 3,
    status: { code: 'unset' },
    attributes: { 'http.route': '/x' },
    events: [],
    ...extra,
  };
}

/** A hub with one pretend client that records what would be written to it. */
class RecordingHub extends SseHub {
  readonly published: Array<{ event: string; items: TraceSummary[] }> = [];
  override get size(): number {
    return 1;
  }
  override publishEach<E extends keyof StreamEvents>(event: E, items: ReadonlyArray<StreamEvents[E]>): void {
    this.published.push({ event, items: [...items] as TraceSummary[] });
  }
}

describe('createPipeline', () => {
  it('hands each kept batch on before its local roots, so query insights know what the trace holds', () => {
    const store = new SpanStore();
    const events: string[] = [];
    const pipeline = createPipeline(store, new SseHub(), {
      onKeptBatch: (spans) => events.push(`batch ${spans.map((s) => s.name).join(',')}`),
      onLocalRoot: (r) => events.push(`root ${r.name}`),
    });
    const a = root({ name: 'GET /a' });
    const query: SpanRecord = { ...root({ name: 'SELECT', kind: 'client' }), traceId: a.traceId, parentSpanId: a.spanId };
    pipeline.onSpan(query);
    pipeline.onSpan(a);
    pipeline.flush();
    expect(events).toEqual(['batch SELECT,GET /a', 'root GET /a']);
    pipeline.close();
  });

  it('queues ended spans and hands them on in one batch, off the caller', async () => {
    const store = new SpanStore();
    const p = createPipeline(store, new SseHub());
    const spans = [root(), root(), root()];
    for (const s of spans) p.onSpan(s);
    // Nothing the caller (a request) waits for has touched the store yet.
    expect(store.stats().spans).toBe(0);
    expect(p.counters.queued).toBe(3);
    await p.whenIdle();
    expect(store.stats().spans).toBe(3);
    expect(p.counters).toMatchObject({ spans: 3, queued: 0, batches: 1, largestBatch: 3, droppedQueueFull: 0, errors: 0 });
    expect(store.getSummary(spans[0]!.traceId)?.reason).toBe('all');
    p.close();
  });

  it('drops and counts spans at the queue bound until the drain has run', async () => {
    const store = new SpanStore();
    const p = createPipeline(store, new SseHub(), { maxQueue: 2 });
    for (let i = 0; i < 5; i++) p.onSpan(root());
    expect(p.counters.droppedQueueFull).toBe(3);
    await p.whenIdle();
    expect(store.stats().spans).toBe(2);
    // Drained: the queue takes spans again.
    p.onSpan(root());
    p.flush();
    expect(store.stats().spans).toBe(3);
    expect(p.counters).toMatchObject({ spans: 6, batches: 2, droppedQueueFull: 3 });
    p.close();
  });

  it('flush() drains synchronously; whenIdle() on an empty queue resolves at once', async () => {
    const store = new SpanStore();
    const p = createPipeline(store, new SseHub());
    await p.whenIdle();
    p.onSpan(root());
    p.flush();
    expect(store.stats().spans).toBe(1);
    expect(p.counters.queued).toBe(0);
    p.close();
  });

  it('gives every batch consumer the whole batch; one that throws is counted and the others still run', async () => {
    const seen: number[] = [];
    const bad: SpanBatchConsumer = {
      onBatch() {
        throw new Error('consumer bug');
      },
    };
    const good: SpanBatchConsumer = { onBatch: (spans) => void seen.push(spans.length) };
    const store = new SpanStore();
    const errors = console.error;
    console.error = () => {};
    try {
      const p = createPipeline(store, new SseHub(), { consumers: [bad, good] });
      p.onSpan(root());
      p.onSpan(root());
      await p.whenIdle();
      expect(seen).toEqual([2]);
      expect(p.counters.errors).toBe(1);
      expect(store.stats().spans).toBe(2);
      p.close();
    } finally {
      console.error = errors;
    }
  });

  it('publishes the kept traces of a batch to the stream in one publish', async () => {
    const hub = new RecordingHub();
    const p = createPipeline(new SpanStore(), hub);
    const a = root();
    const b = root();
    p.onSpan(a);
    p.onSpan(b);
    await p.whenIdle();
    expect(hub.published).toHaveLength(1);
    expect(hub.published[0]!.event).toBe('trace');
    expect(hub.published[0]!.items.map((s) => s.traceId)).toEqual([a.traceId, b.traceId]);
    p.close();
  });

  it('counts spans the store refused (its per-trace cap)', async () => {
    const store = new SpanStore({ maxSpansPerTrace: 1 });
    const p = createPipeline(store, new SseHub());
    const a = root();
    p.onSpan(a);
    p.onSpan({ ...a, spanId: 'ffffffffffffffff', parentSpanId: a.spanId, kind: 'internal' });
    await p.whenIdle();
    expect(p.counters.refused).toBe(1);
    expect(store.stats().spans).toBe(1);
    p.close();
  });

  it('rejects a queue bound that is not a positive integer', () => {
    expect(() => createPipeline(new SpanStore(), new SseHub(), { maxQueue: 0 })).toThrow(/maxQueue/);
  });

  it('drains outside the trace whose span ended, with tracing suppressed, however it was called', async () => {
    // The key @opentelemetry/core's suppressTracing sets (createContextKey uses Symbol.for).
    const SUPPRESS = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
    const seen: Array<{ active: boolean; suppressed: boolean }> = [];
    const consumer: SpanBatchConsumer = {
      onBatch: () => seen.push({ active: trace.getActiveSpan() !== undefined, suppressed: context.active().getValue(SUPPRESS) === true }),
    };
    // The panel's context manager (AsyncLocalStorage), so that contexts really propagate here.
    const tracing = setupTracing({ service: 'pipe-test', onSpan: () => {}, instrument: false });
    const p = createPipeline(new SpanStore(), new SseHub(), { consumers: [consumer] });
    const requestSpan = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    context.with(trace.setSpan(ROOT_CONTEXT, requestSpan), () => {
      expect(trace.getActiveSpan()).toBe(requestSpan);
      p.onSpan(root());
    });
    await p.whenIdle();
    expect(seen).toEqual([{ active: false, suppressed: true }]);
    p.close();
    await tracing.shutdown();
  });
});
