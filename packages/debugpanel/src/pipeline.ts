/**
 * Where finished spans go: into the store, and, when a trace's local root ends, its summary goes to
 * the live stream. Later features (tail sampling, golden signals) hook in here.
 */
import type { SpanRecord, TraceSummary } from '@debugpanel/model';
import type { GoldenSignals } from '@debugpanel/metrics';
import type { SpanStore } from '@debugpanel/span-store';
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
}

/**
 * True for the span that ends a trace's part in this process: a root span, or a server span (whose
 * parent, if any, lives in another process).
 */
export function isLocalRoot(span: SpanRecord): boolean {
  return span.parentSpanId === undefined || span.kind === 'server' || span.kind === 'consumer';
}

export interface PipelineHooks {
  /** Counts every span before anything may drop it, so rates stay true */
  metrics?: GoldenSignals | undefined;
  /** Each span the store kept (e.g. the `exportTo` sender) */
  onKept?: ((span: SpanRecord) => void) | undefined;
}

export function createPipeline(store: SpanStore, sse: SseHub, hooks: PipelineHooks = {}): Pipeline {
  const { metrics, onKept } = hooks;
  const counters: PipelineCounters = { spans: 0, refused: 0, errors: 0 };
  let loggedError = false;
  return {
    counters,
    onSpan(span) {
      counters.spans++;
      try {
        metrics?.record(span);
        if (!store.add(span)) counters.refused++;
        else onKept?.(span);
        // Summaries are built and serialized only while someone is watching the stream.
        if (sse.size > 0 && isLocalRoot(span)) {
          const summary: TraceSummary | undefined = store.getSummary(span.traceId);
          if (summary) sse.publish('trace', summary);
        }
      } catch (err) {
        counters.errors++;
        if (!loggedError) {
          loggedError = true;
          console.error('debugpanel: a span could not be processed (counted in /api/stats; logged once):', err);
        }
      }
    },
  };
}
