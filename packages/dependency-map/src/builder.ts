import { checkKeys, isFunction, isNumberAtLeast, isPositiveInt, type Check, type DependencyMapStats, type SpanRecord } from '@debugpanel/model';
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
  /**
   * Counts each trace into the time bucket (this many ms wide) of its earliest span, so that
   * `window({ since, until })` answers for a time window. Default: one map for all time.
   */
  bucketMs?: number;
  /** Buckets kept with `bucketMs`, the newest; older ones are forgotten (counted). Default 61. */
  maxBuckets?: number;
}

/** Its counters: model's `DependencyMapStats`, the `dependencies` section of the panel's stats. */
export type DependencyMapBuilderStats = DependencyMapStats;

/** One time bucket: the calls of the traces that started in it. */
interface Bucket {
  start: number;
  agg: MapAggregator;
  traces: number;
  spans: number;
}

/** A window's map, with what it counted. */
export interface DependencyMapWindow extends DependencyMap {
  traces: number;
  spans: number;
  /** Start of the first bucket counted and end of the last (ms); absent when none was */
  from?: number;
  to?: number;
  /** True when the window reaches before the oldest bucket still held (after buckets were forgotten) */
  truncated: boolean;
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
  bucketMs: isPositiveInt,
  maxBuckets: isPositiveInt,
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
  private readonly bucketMs: number | undefined;
  private readonly maxBuckets: number;
  /** bucket start -> bucket, with `bucketMs` */
  private readonly buckets = new Map<number, Bucket>();
  private expiredBuckets = 0;
  private tooOld = 0;
  /** Least recently touched first: re-inserted on every span, so the front is the first to expire. */
  private readonly pending = new Map<string, Pending>();
  private pendingSpans = 0;
  private processedSpans = 0;
  private processedTraces = 0;
  private flushedEarly = 0;
  /** Malformed spans, plus what the aggregators before a `reset()` dropped */
  private dropped = 0;
  /**
   * host:port -> service, shared by every aggregator (see MapAggregator's `hosts`), learned from
   * each trace counted: a new minute's bucket, or the waiting traces a window counts as they are
   * so far, must not show a call to orders' own address as an external host because orders'
   * spans of that trace have not come yet.
   */
  private readonly hosts = new Map<string, string>();

  constructor(options: DependencyMapBuilderOptions = {}) {
    checkKeys(options, OPTIONS, 'DependencyMapBuilder');
    this.waitMs = options.waitMs ?? 5000;
    this.maxPendingSpans = options.maxPendingSpans ?? 20_000;
    this.limits = { maxNodes: options.maxNodes ?? 500, maxEdges: options.maxEdges ?? 2000 };
    this.now = options.now ?? Date.now;
    this.options = { hardThreshold: options.hardThreshold, maxTraceIdsPerEdge: options.maxTraceIdsPerEdge };
    this.agg = this.newAggregator();
    this.bucketMs = options.bucketMs;
    this.maxBuckets = options.maxBuckets ?? 61;
  }

  private newAggregator(): MapAggregator {
    return new MapAggregator(() => new LogHistogram(), this.options, this.limits, this.hosts);
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
      // A literal of one: `push` onto `[]` would give the array 16 spare slots (~130 bytes), and
      // most waiting traces keep their one span (measured after a 60 s /hello flood: 15,691 of
      // them held 3.7 MiB).
      p = { spans: [span], last: now };
    } else {
      this.pending.delete(span.traceId);
      p.last = now;
      p.spans.push(span);
    }
    this.pending.set(span.traceId, p);
    this.pendingSpans++;
  }

  private process(traceId: string): number {
    const p = this.pending.get(traceId)!;
    this.pending.delete(traceId);
    this.pendingSpans -= p.spans.length;
    this.processedSpans += p.spans.length;
    this.processedTraces++;
    if (this.bucketMs === undefined) this.agg.addTrace(p.spans);
    else this.addToBucket(p.spans);
    return p.spans.length;
  }

  private addToBucket(spans: SpanRecord[]): void {
    let first = Infinity;
    for (const s of spans) if (s.startTime < first) first = s.startTime;
    if (!Number.isFinite(first)) first = this.now();
    const start = Math.floor(first / this.bucketMs!) * this.bucketMs!;
    let b = this.buckets.get(start);
    if (b === undefined) {
      if (this.buckets.size >= this.maxBuckets) {
        const oldest = Math.min(...this.buckets.keys());
        if (start < oldest) {
          this.tooOld += spans.length;
          return;
        }
        this.dropped += this.buckets.get(oldest)!.agg.dropped;
        this.buckets.delete(oldest);
        this.expiredBuckets++;
      }
      b = { start, agg: this.newAggregator(), traces: 0, spans: 0 };
      this.buckets.set(start, b);
    }
    b.agg.addTrace(spans);
    b.traces++;
    b.spans += spans.length;
  }

  /**
   * With `bucketMs`: the map of the traces whose earliest span started within [since, until],
   * to the bucket (every bucket the window touches counts whole), merged from the buckets. With
   * `pending` (default true) the traces still waiting for their other halves count too, as they
   * are so far (in this answer only: they are counted for good when their wait ends), so the map
   * does not lag `waitMs` behind the traffic.
   */
  window(range: { since?: number | undefined; until?: number | undefined; pending?: boolean } = {}): DependencyMapWindow {
    this.expire(this.now());
    const bucketMs = this.bucketMs;
    if (bucketMs === undefined) {
      return { ...this.agg.result(), traces: this.processedTraces, spans: this.processedSpans, truncated: false };
    }
    const since = range.since ?? -Infinity;
    const until = range.until ?? Infinity;
    const picked = [...this.buckets.values()].filter((b) => b.start + bucketMs > since && b.start <= until).sort((a, b) => a.start - b.start);
    const merged = this.newAggregator();
    // Newest first, so each edge keeps its newest trace ids.
    for (let i = picked.length - 1; i >= 0; i--) merged.mergeFrom(picked[i]!.agg);
    let traces = 0;
    let spans = 0;
    for (const b of picked) {
      traces += b.traces;
      spans += b.spans;
    }
    if (range.pending !== false) {
      // Where every waiting trace's servers were reached first: a trace whose callee's spans are
      // still to come is then counted against that service, whichever trace comes first below.
      for (const p of this.pending.values()) merged.learnHosts(p.spans);
      for (const p of this.pending.values()) {
        let first = Infinity;
        for (const s of p.spans) if (s.startTime < first) first = s.startTime;
        const start = Math.floor(first / bucketMs) * bucketMs;
        if (!(start + bucketMs > since && start <= until)) continue;
        merged.addTrace(p.spans);
        traces++;
        spans += p.spans.length;
      }
    }
    const out: DependencyMapWindow = { ...merged.result(), traces, spans, truncated: false };
    if (picked.length > 0) {
      out.from = picked[0]!.start;
      out.to = picked[picked.length - 1]!.start + bucketMs;
    }
    if (this.expiredBuckets > 0 || this.tooOld > 0) {
      const oldest = this.buckets.size === 0 ? Infinity : Math.min(...this.buckets.keys());
      out.truncated = since < oldest;
    }
    return out;
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
      dropped: this.dropped + this.agg.dropped + [...this.buckets.values()].reduce((n, b) => n + b.agg.dropped, 0),
      ...(this.bucketMs === undefined ? {} : { buckets: this.buckets.size, expiredBuckets: this.expiredBuckets, tooOld: this.tooOld }),
    };
  }

  /** Forgets the map and every waiting span; counters of dropped and early spans are kept. */
  reset(): void {
    this.pending.clear();
    this.pendingSpans = 0;
    this.dropped += this.agg.dropped;
    for (const b of this.buckets.values()) this.dropped += b.agg.dropped;
    this.buckets.clear();
    this.hosts.clear();
    this.agg = this.newAggregator();
  }
}
