import { checkKeys, isFunction, isNumberAtLeast, isPositiveInt, type Check, type SpanRecord } from '@debugpanel/model';
import { MAP_OPTIONS, MapAggregator } from './aggregate.js';
import { LogHistogram } from './histogram.js';
import type { DependencyMap, DependencyMapOptions } from './types.js';

export interface DependencyMapBuilderOptions extends DependencyMapOptions {
  /** ms a trace waits after its latest span for more spans (the other side of a call). Default 5000. */
  waitMs?: number;
  /** Spans held while waiting, all traces together. Default 20,000. When full, the oldest waiting trace is counted early. */
  maxPendingSpans?: number;
  /** Nodes and edges kept; calls that would create more count as dropped. Defaults 500 and 2000. */
  maxNodes?: number;
  maxEdges?: number;
  /** Clock in ms, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface DependencyMapBuilderStats {
  pendingTraces: number;
  pendingSpans: number;
  /** Spans counted into the map */
  processedSpans: number;
  /** Spans counted before their wait ended because `maxPendingSpans` was reached */
  flushedEarly: number;
  /** Spans refused as malformed, plus calls not counted because `maxNodes`/`maxEdges` was reached */
  dropped: number;
}

interface Pending {
  spans: SpanRecord[];
  last: number;
}

const OPTIONS = {
  ...MAP_OPTIONS,
  waitMs: isNumberAtLeast(0),
  maxPendingSpans: isPositiveInt,
  maxNodes: isPositiveInt,
  maxEdges: isPositiveInt,
  now: isFunction,
} satisfies Record<keyof DependencyMapBuilderOptions, Check>;

function wellFormed(s: unknown): s is SpanRecord {
  if (typeof s !== 'object' || s === null) return false;
  const r = s as Partial<SpanRecord>;
  return typeof r.traceId === 'string' && typeof r.spanId === 'string' && typeof r.kind === 'string' &&
    typeof r.service === 'string' && typeof r.duration === 'number' && typeof r.status === 'object' && r.status !== null &&
    typeof r.attributes === 'object' && r.attributes !== null;
}

/**
 * The dependency map of a live stream of spans. Spans wait, grouped by trace, until their trace
 * has had no new span for `waitMs` (so that the client and server sides of a call, which end at
 * different times and may come from different processes, are paired); then they are counted,
 * exactly as `buildDependencyMap` counts them. Latency percentiles come from fixed-size
 * log-bucketed histograms (1.3 KB each, within ~4.4 %), so memory stays bounded however long it
 * runs; waiting spans are bounded by `maxPendingSpans`, nodes and edges by `maxNodes`/`maxEdges`.
 *
 * It owns no timer: `add()` and `snapshot()` count the traces whose wait is over. A span arriving
 * after its trace was counted starts a new group, so its call may count as unpaired.
 *
 * @example
 * const builder = new DependencyMapBuilder({ waitMs: 5000 });
 * processor.onEnd = (span) => builder.add(span);
 * app.get('/map', (_req, res) => res.json(builder.snapshot()));
 */
export class DependencyMapBuilder {
  private readonly waitMs: number;
  private readonly maxPendingSpans: number;
  private readonly now: () => number;
  private readonly options: DependencyMapOptions;
  private readonly limits: { maxNodes: number; maxEdges: number };
  private agg: MapAggregator;
  /** Least recently touched first: re-inserted on every span, so the front is the first to expire. */
  private readonly pending = new Map<string, Pending>();
  private pendingSpans = 0;
  private processedSpans = 0;
  private flushedEarly = 0;
  /** Malformed spans, plus what the aggregators before a `reset()` dropped */
  private dropped = 0;

  constructor(options: DependencyMapBuilderOptions = {}) {
    checkKeys(options, OPTIONS, 'DependencyMapBuilder');
    this.waitMs = options.waitMs ?? 5000;
    this.maxPendingSpans = options.maxPendingSpans ?? 20_000;
    this.limits = { maxNodes: options.maxNodes ?? 500, maxEdges: options.maxEdges ?? 2000 };
    this.now = options.now ?? Date.now;
    this.options = { hardThreshold: options.hardThreshold, maxTraceIdsPerEdge: options.maxTraceIdsPerEdge };
    this.agg = this.newAggregator();
  }

  private newAggregator(): MapAggregator {
    return new MapAggregator(() => new LogHistogram(), this.options, this.limits);
  }

  /** Adds one span (or several). Never throws: malformed spans are counted as dropped. */
  add(span: SpanRecord | ReadonlyArray<SpanRecord>): void {
    const now = this.now();
    if (Array.isArray(span)) for (const s of span) this.addOne(s, now);
    else this.addOne(span as SpanRecord, now);
    this.expire(now);
  }

  private addOne(span: SpanRecord, now: number): void {
    if (!wellFormed(span)) {
      this.dropped++;
      return;
    }
    while (this.pendingSpans >= this.maxPendingSpans && this.pending.size > 0) {
      const oldest = this.pending.keys().next().value as string;
      this.flushedEarly += this.process(oldest);
    }
    let p = this.pending.get(span.traceId);
    if (p === undefined) {
      p = { spans: [], last: now };
    } else {
      this.pending.delete(span.traceId);
      p.last = now;
    }
    this.pending.set(span.traceId, p);
    p.spans.push(span);
    this.pendingSpans++;
  }

  private process(traceId: string): number {
    const p = this.pending.get(traceId)!;
    this.pending.delete(traceId);
    this.pendingSpans -= p.spans.length;
    this.processedSpans += p.spans.length;
    this.agg.addTrace(p.spans);
    return p.spans.length;
  }

  private expire(now: number): void {
    for (const [traceId, p] of this.pending) {
      if (now - p.last < this.waitMs) break;
      this.process(traceId);
    }
  }

  /** Counts every waiting trace now, without waiting for the rest of its spans. */
  flush(): void {
    for (const traceId of [...this.pending.keys()]) this.process(traceId);
  }

  /** The map so far (traces whose wait is over are counted first). */
  snapshot(): DependencyMap {
    this.expire(this.now());
    return this.agg.result();
  }

  stats(): DependencyMapBuilderStats {
    return {
      pendingTraces: this.pending.size,
      pendingSpans: this.pendingSpans,
      processedSpans: this.processedSpans,
      flushedEarly: this.flushedEarly,
      dropped: this.dropped + this.agg.dropped,
    };
  }

  /** Forgets the map and every waiting span; counters of dropped and early spans are kept. */
  reset(): void {
    this.pending.clear();
    this.pendingSpans = 0;
    this.dropped += this.agg.dropped;
    this.agg = this.newAggregator();
  }
}
