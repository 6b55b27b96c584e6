/**
 * Where finished spans go (DESIGN "How data flows"): golden signals count every span first, so
 * rates stay true whatever sampling drops; the tail sampler then buffers each trace until its
 * local root ended (+ grace) and keeps or drops it whole; kept spans go into the store, to the
 * `exportTo` sender, and, when a kept batch holds a local root, its summary goes to the live stream.
 */
import { isLocalRoot, type SpanRecord, type TraceSummary } from '@debugpanel/model';
import type { GoldenSignals } from '@debugpanel/metrics';
import { PRODUCTION_POLICIES, TailSampler } from '@debugpanel/sampler';
import type { SpanStore } from '@debugpanel/span-store';
import type { ResolvedSampling } from './options.js';
import type { SseHub } from './sse.js';

export interface PipelineCounters {
  /** Spans handed to the pipeline */
  spans: number;
  /** Spans the store refused (per-trace cap) */
  refused: number;
  /** Errors thrown inside the pipeline (swallowed: span processing must never break the app) */
  errors: number;
}

export interface Pipeline {
  onSpan(span: SpanRecord): void;
  counters: PipelineCounters;
  /** The tail sampler: its policies (`describe()`) and counters (`stats()`) */
  tail: TailSampler;
  /** Decides what is pending and stops the sampler's timer. */
  close(): void;
}

export interface PipelineHooks {
  /** Counts every span before anything may drop it, so rates stay true */
  metrics?: GoldenSignals | undefined;
  /** Each span the store kept (e.g. the `exportTo` sender) */
  onKept?: ((span: SpanRecord) => void) | undefined;
  /** Each kept batch (e.g. for the insights engine's trace digests) */
  onKeptBatch?: ((spans: SpanRecord[]) => void) | undefined;
  /** Tail sampling (default: keep everything) */
  sampling?: ResolvedSampling | undefined;
}

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
  const { metrics, onKept, onKeptBatch } = hooks;
  const counters: PipelineCounters = { spans: 0, refused: 0, errors: 0 };
  let loggedError = false;
  // One frozen meta object per reason: keep() runs for every request, and the reasons are few
  // (`all`, `error`, `slow`, `sampled`, `rate`, `attribute:<configured key>`); bounded all the same.
  const metaByReason = new Map<string, { reason: string }>();
  function metaFor(reason: string): { reason: string } {
    let meta = metaByReason.get(reason);
    if (meta === undefined) {
      meta = Object.freeze({ reason });
      if (metaByReason.size < 64) metaByReason.set(reason, meta);
    }
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
    try {
      let root: SpanRecord | undefined;
      for (const span of spans) {
        if (!store.add(span)) {
          counters.refused++;
          continue;
        }
        onKept?.(span);
        if (isLocalRoot(span)) root = span;
      }
      // insights keep their own bounded digests: they get the batch whatever the store's caps did
      onKeptBatch?.(spans);
      if (root === undefined) return;
      store.setTraceMeta(root.traceId, metaFor(reason));
      // Summaries are built and serialized only while someone is watching the stream.
      if (sse.size > 0) {
        const summary: TraceSummary | undefined = store.getSummary(root.traceId);
        if (summary) sse.publish('trace', summary);
      }
    } catch (err) {
      failed(err);
    }
  }

  const tail = createTailSampler(hooks.sampling, keep);
  return {
    counters,
    tail,
    onSpan(span) {
      counters.spans++;
      try {
        metrics?.record(span);
        tail.add(span);
      } catch (err) {
        failed(err);
      }
    },
    close() {
      tail.close();
    },
  };
}
