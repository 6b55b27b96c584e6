/**
 * Where finished spans go (DESIGN "How data flows"). Ending a span only puts it into a bounded,
 * preallocated queue (dropped and counted at the bound, like the OTel SDK's BatchSpanProcessor);
 * an unref'd `setImmediate` drains the queue whole, off the request path. Per batch: the batch
 * consumers see every span, golden signals count every span (before sampling, so rates stay true),
 * the tail sampler buffers each trace until its local root ended (+ grace) and keeps or drops it
 * whole; what it keeps goes to the store in one `addBatch`, to the `exportTo` sender, and the
 * summaries of the kept traces' local roots go to the live stream in one publish.
 * Nothing a request waits for depends on the store.
 */
import { isLocalRoot, type IngestStats, type SpanRecord, type TraceSummary } from '@debugpanel/model';
import type { GoldenSignals } from '@debugpanel/metrics';
import { PRODUCTION_POLICIES, TailSampler } from '@debugpanel/sampler';
import type { SpanStore } from '@debugpanel/span-store';
import { outsideTraces } from '@debugpanel/tracing';
import type { ResolvedSampling } from './options.js';
import type { SseHub } from './sse.js';

/** The pipeline's counters: the `ingest` section of `GET {path}/api/stats`. */
export type PipelineCounters = IngestStats;

/**
 * A consumer of every span the pipeline receives, a drained batch at a time (before sampling).
 * Errors it throws are caught and counted (`errors`); the batch is only valid during the call
 * unless the consumer keeps the span objects themselves (they are never reused).
 */
export interface SpanBatchConsumer {
  onBatch(spans: readonly SpanRecord[]): void;
}

export interface Pipeline {
  /** Queues one ended span; never throws, never waits. */
  onSpan(span: SpanRecord): void;
  counters: PipelineCounters;
  /** The tail sampler: its policies (`describe()`) and counters (`stats()`) */
  tail: TailSampler;
  /** Drains the queue now, synchronously (panel routes call it so they read what has ended). */
  flush(): void;
  /** Resolves once the queue has been drained (at once when it is empty): for tests. */
  whenIdle(): Promise<void>;
  /** Drains, decides what is pending and stops the sampler's timer. */
  close(): void;
}

export interface PipelineHooks {
  /** Counts every span before anything may drop it, so rates stay true */
  metrics?: GoldenSignals | undefined;
  /** Each span the tail sampler kept (e.g. the `exportTo` sender) */
  onKept?: ((span: SpanRecord) => void) | undefined;
  /** Each kept local root (a request's part of a trace), e.g. for query insights */
  onLocalRoot?: ((root: SpanRecord) => void) | undefined;
  /**
   * Each kept batch (e.g. for the insights engine's trace digests, query insights' note of the
   * traces with queries), before the batch's `onLocalRoot` calls. The array is reused by the next
   * drain: only valid during the call (keep the spans, not the array).
   */
  onKeptBatch?: ((spans: readonly SpanRecord[]) => void) | undefined;
  /** Tail sampling (default: keep everything) */
  sampling?: ResolvedSampling | undefined;
  /** Error groups: sees every span before sampling (queues those with exceptions, groups them in batches) */
  errors?: { onSpan(span: SpanRecord): void } | undefined;
  /** Further consumers of every span, a batch at a time (logs, errors, queries...) */
  consumers?: readonly SpanBatchConsumer[] | undefined;
  /** Most spans waiting for the drain (default 65,536); more are dropped and counted */
  maxQueue?: number | undefined;
}

/**
 * 65,536 spans (512 KiB of slots): the drain runs once per event-loop turn, so the queue holds what
 * ended within one turn. A synchronous loop that makes a 10,000-span trace must fit whole (the
 * e2e big trace does that); a flood fills it only when a turn outlasts 65k span ends.
 */
export const DEFAULT_MAX_QUEUE = 65_536;

/** The TailSampler for resolved options; throws (at creation) on bad policies. */
function createTailSampler(sampling: ResolvedSampling | undefined, onKeep: (spans: SpanRecord[], reason: string) => void): TailSampler {
  const tail = sampling?.tail ?? 'all';
  return new TailSampler({
    onKeep,
    isLocalRoot,
    keepAll: tail === 'all',
    production: tail === 'production',
    ...(typeof tail === 'object' ? { policies: tail } : tail === 'production' ? { policies: PRODUCTION_POLICIES } : {}),
    ...(sampling?.graceMs !== undefined ? { graceMs: sampling.graceMs } : {}),
    ...(sampling?.maxAgeMs !== undefined ? { maxAgeMs: sampling.maxAgeMs } : {}),
    ...(sampling?.maxPendingTraces !== undefined ? { maxPendingTraces: sampling.maxPendingTraces } : {}),
  });
}

export function createPipeline(store: SpanStore, sse: SseHub, hooks: PipelineHooks = {}): Pipeline {
  const { metrics, onKept, onKeptBatch, onLocalRoot, errors } = hooks;
  const consumers = hooks.consumers ?? [];
  const maxQueue = hooks.maxQueue ?? DEFAULT_MAX_QUEUE;
  if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new RangeError(`createPipeline: maxQueue must be a positive integer, got ${String(maxQueue)}`);
  const counters: PipelineCounters = { spans: 0, queued: 0, maxQueue, droppedQueueFull: 0, batches: 0, largestBatch: 0, refused: 0, errors: 0 };
  let loggedError = false;
  let loggedDrop = false;

  // The queue: slots [0, counters.queued). Allocated once at its bound, so ending a span never
  // grows an array; it is not a FIFO ring (RingBuffer) because it is always drained whole.
  const queue = new Array<SpanRecord | undefined>(maxQueue).fill(undefined);
  let scheduled: NodeJS.Immediate | undefined;
  let idle: Array<() => void> = [];

  // What the sampler kept during the current drain, committed to the store once at its end.
  let draining = false;
  const keptSpans: SpanRecord[] = [];
  const keptRoots: SpanRecord[] = [];
  const keptReasons: string[] = [];

  // One frozen meta object per reason: the reasons are few (`all`, `error`, `slow`, `sampled`,
  // `rate`, `attribute:<configured key>`); bounded all the same.
  const metaByReason = new Map<string, { reason: string }>();
  // Most drains keep every trace for the same reason: the last one answers without a look-up.
  let lastMeta: { reason: string } = Object.freeze({ reason: '' });
  function metaFor(reason: string): { reason: string } {
    if (lastMeta.reason === reason) return lastMeta;
    let meta = metaByReason.get(reason);
    if (meta === undefined) {
      meta = Object.freeze({ reason });
      if (metaByReason.size < 64) metaByReason.set(reason, meta);
    }
    lastMeta = meta;
    return meta;
  }

  function failed(err: unknown): void {
    counters.errors++;
    if (!loggedError) {
      loggedError = true;
      console.error('debugpanel: a span could not be processed (counted in /api/stats; logged once):', err);
    }
  }

  /** A kept trace (or, in keep-all mode and for late spans, one span of it). */
  function keep(spans: SpanRecord[], reason: string): void {
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      keptSpans.push(span);
      if (isLocalRoot(span)) {
        keptRoots.push(span);
        keptReasons.push(reason);
      }
    }
    // From the sampler's own timer (grace over) there is no drain to commit at its end.
    if (!draining) commitKept();
  }

  function commitKept(): void {
    const n = keptSpans.length;
    if (n === 0) return;
    try {
      counters.refused += n - store.addBatch(keptSpans);
      if (onKept !== undefined) for (let i = 0; i < n; i++) onKept(keptSpans[i]!);
      // Insights keep their own bounded digests of what was kept, whatever the store's caps did
      // (the array itself is reused by the next drain; they keep the spans, not it).
      onKeptBatch?.(keptSpans);
      const watched = sse.size > 0;
      let summaries: TraceSummary[] | undefined;
      for (let i = 0; i < keptRoots.length; i++) {
        const root = keptRoots[i]!;
        if (onLocalRoot !== undefined) onLocalRoot(root);
        if (!store.setTraceMeta(root.traceId, metaFor(keptReasons[i]!))) continue;
        // Summaries are built and serialized only while someone is watching the stream.
        if (watched) {
          const summary = store.getSummary(root.traceId);
          if (summary !== undefined) (summaries ??= []).push(summary);
        }
      }
      if (summaries !== undefined) sse.publishEach('trace', summaries);
    } catch (err) {
      failed(err);
    } finally {
      keptSpans.length = 0;
      keptRoots.length = 0;
      keptReasons.length = 0;
    }
  }

  function drain(): void {
    if (scheduled !== undefined) {
      clearImmediate(scheduled);
      scheduled = undefined;
    }
    const n = counters.queued;
    if (n > 0 && !draining) {
      const batch = queue.slice(0, n) as SpanRecord[];
      queue.fill(undefined, 0, n); // the queue must not keep evicted spans alive
      counters.queued = 0;
      counters.batches++;
      if (n > counters.largestBatch) counters.largestBatch = n;
      draining = true;
      try {
        for (let c = 0; c < consumers.length; c++) {
          try {
            consumers[c]!.onBatch(batch);
          } catch (err) {
            failed(err);
          }
        }
        for (let i = 0; i < n; i++) {
          const span = batch[i]!;
          try {
            metrics?.record(span);
            errors?.onSpan(span);
            tail.add(span);
          } catch (err) {
            failed(err);
          }
        }
      } finally {
        draining = false;
      }
      commitKept();
    }
    if (counters.queued === 0 && idle.length > 0) {
      const waiting = idle;
      idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  const scheduleDrain = (): NodeJS.Immediate => setImmediate(drain);
  const tail = createTailSampler(hooks.sampling, keep);
  return {
    counters,
    tail,
    onSpan(span) {
      counters.spans++;
      const n = counters.queued;
      if (n === maxQueue) {
        counters.droppedQueueFull++;
        if (!loggedDrop) {
          loggedDrop = true;
          console.warn(`debugpanel: the span queue is full (${maxQueue}): spans are dropped until it drains (counted in /api/stats ingest.droppedQueueFull; logged once)`);
        }
        return;
      }
      queue[n] = span;
      counters.queued = n + 1;
      if (scheduled === undefined) {
        // Scheduled outside the trace whose span just ended: the drain (and what it starts, such as
        // an exporter's timer) must neither inherit and retain the request's context nor trace itself.
        scheduled = outsideTraces(scheduleDrain);
        // Never keeps the process alive: what is still queued at exit is lost, like a batch processor's buffer.
        scheduled.unref();
      }
    },
    flush: drain,
    whenIdle() {
      if (counters.queued === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
    close() {
      drain();
      tail.close();
    },
  };
}
