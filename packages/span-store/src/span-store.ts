import {
  RingBuffer,
  checkKeys,
  checkValue,
  isPositiveInt,
  must,
  type Check,
  type Schema,
  type SpanRecord,
  type TraceQuery,
  type TraceQueryResult,
  type StoreStats,
  type TraceSummary,
} from '@debugpanel/model';
import { Interner, compactSpan } from './compact.js';
import { estimateSpanBytes } from './estimate.js';
import { TraceFilters } from './trace-filters.js';
import { SLOT_BYTES, TRACE_BYTES, TraceEntry, summarize } from './trace-entry.js';
import { queryTraces, type QuerySource } from './trace-query.js';

export interface SpanStoreOptions {
  /** Most spans held at once (default 100,000) */
  maxSpans?: number;
  /** Most estimated heap bytes held at once (default 64 MiB), see `estimateSpanBytes` */
  maxBytes?: number;
  /** Most spans kept for one trace (default 10,000); more are refused and counted */
  maxSpansPerTrace?: number;
  /** Most traces pinned at once (default 100) */
  maxPinned?: number;
}

// The counters are the `store` section of `GET {path}/api/stats`: declared in @debugpanel/model.
export type SpanStoreStats = StoreStats;

/** Called with each evicted trace's id and spans (not called by `clear()`). */
export type EvictListener = (traceId: string, spans: ReadonlyArray<SpanRecord>) => void;

const DEFAULTS = {
  maxSpans: 100_000,
  maxBytes: 64 * 1024 * 1024,
  maxSpansPerTrace: 10_000,
  maxPinned: 100,
} as const;

const OPTIONS: Schema = {
  maxSpans: isPositiveInt,
  maxBytes: isPositiveInt,
  maxSpansPerTrace: isPositiveInt,
  maxPinned: isPositiveInt,
} satisfies Record<keyof SpanStoreOptions, Check>;

/**
 * An in-memory index of traces within a count and byte budget. It holds the `SpanRecord`
 * objects it is given (no copies), groups them by trace, keeps each trace's summary up to date
 * on `add`, and evicts the oldest whole traces (by first arrival) when a budget overflows.
 *
 * Order: traces are listed newest first by **first arrival** of any of their spans, not by start
 * time. Spans arrive when they end, so a long trace appears when its first span ends. That order
 * is what a live list shows, and it lets queries stop as soon as a page is full.
 *
 * @example
 * const store = new SpanStore({ maxSpans: 50_000 });
 * store.add(span);
 * const { traces, nextCursor } = store.query({ service: 'orders', status: 'error', limit: 20 });
 * const spans = store.getTrace(traces[0].traceId); // sorted by startTime
 */
export class SpanStore {
  /** Optional hook, called for each evicted trace; errors it throws are caught and counted. */
  onEvict: EvictListener | undefined = undefined;

  readonly #maxSpans: number;
  readonly #maxBytes: number;
  readonly #maxPerTrace: number;
  readonly #maxPinned: number;

  readonly #traces = new Map<string, TraceEntry>();
  /** Shared copies of repeated strings (compact.ts) */
  readonly #interner = new Interner();
  /** Traces in first-arrival order (ascending seq) */
  readonly #order: RingBuffer<TraceEntry>;
  /**
   * Pinned traces that reached the oldest end of `#order` while being evicted past. All are older
   * than everything in `#order`, and are in ascending seq. Unpinned ones here are evicted first.
   */
  readonly #aside: TraceEntry[] = [];
  /** Bigram filters for `text`, `attributes` and `name` queries (made by the first such query) */
  readonly #filters = new TraceFilters();
  /** service -> number of stored traces with a span of it */
  readonly #serviceRefs = new Map<string, number>();
  /** What `queryTraces` reads: the live arrays, behind getters because `clear()` replaces some */
  readonly #querySource: QuerySource;

  #seq = 0;
  #spans = 0;
  #bytes = 0;
  #pinned = 0;
  #evictedTraces = 0;
  #evictedSpans = 0;
  #evictedBytes = 0;
  #refused = 0;
  #listenerErrors = 0;

  constructor(options: SpanStoreOptions = {}) {
    checkValue(options, must((o) => typeof o === 'object' && o !== null, 'an object'), 'options', 'SpanStore');
    checkKeys(options, OPTIONS, 'SpanStore');
    const get = (k: keyof typeof DEFAULTS): number => options[k] ?? DEFAULTS[k];
    this.#maxSpans = get('maxSpans');
    this.#maxBytes = get('maxBytes');
    this.#maxPerTrace = get('maxSpansPerTrace');
    this.#maxPinned = get('maxPinned');
    // Each stored trace holds at least one span, so maxSpans bounds the number of traces.
    this.#order = new RingBuffer<TraceEntry>(this.#maxSpans);
    const filters = this.#filters;
    this.#querySource = {
      order: this.#order,
      aside: this.#aside,
      get bySlot() {
        return filters.bySlot;
      },
      updateFilters: () => {
        const { filters: f, added } = filters.update(this.#order, this.#aside);
        this.#bytes += added;
        return f;
      },
    };
  }

  /**
   * Stores a span. Returns false when it is refused: its trace already holds `maxSpansPerTrace`
   * spans, or the span alone is larger than `maxBytes`. Throws a TypeError for a value that is not
   * a span (no string traceId, non-finite times).
   */
  add(span: SpanRecord): boolean {
    const traceId = span.traceId;
    if (typeof traceId !== 'string' || !Number.isFinite(span.startTime) || !Number.isFinite(span.duration)) {
      throw new TypeError('SpanStore.add: not a span (needs a string traceId and finite startTime and duration)');
    }
    let entry = this.#traces.get(traceId);
    if (entry !== undefined && entry.count >= this.#maxPerTrace) {
      this.#refused++;
      // A full trace still takes its root (it arrives last, after its children): it names and
      // dates the trace. The latest other span makes room and is counted as refused instead.
      return entry.isRootFor(span) && this.#replaceLast(entry, span);
    }
    const bytes = compactSpan(span, this.#interner) + SLOT_BYTES;
    if (
      this.#spans >= this.#maxSpans ||
      this.#bytes + bytes + (entry === undefined ? TRACE_BYTES : 0) > this.#maxBytes
    ) {
      if (!this.#makeRoom(traceId, bytes)) {
        this.#refused++;
        return false;
      }
      // Eviction may have taken this span's own trace: its late spans start a fresh entry.
      entry = this.#traces.get(traceId);
    }

    this.#spans++;
    this.#filters.stale = true;
    if (entry === undefined) {
      entry = new TraceEntry(this.#seq++, span, bytes);
      this.#traces.set(traceId, entry);
      this.#order.push(entry); // never full: #makeRoom keeps traces <= spans <= maxSpans
      this.#bytes += TRACE_BYTES + bytes;
      this.#addServiceRef(span.service);
      return true;
    }
    entry.append(span, bytes);
    this.#bytes += bytes;
    if (entry.addService(span.service)) this.#addServiceRef(span.service);
    return true;
  }

  /** Puts the full trace's new root in place of its latest span (see TraceEntry.replaceLastWithRoot). */
  #replaceLast(entry: TraceEntry, span: SpanRecord): boolean {
    const victim = entry.replaceLastWithRoot(span);
    if (victim === undefined) return false;
    const delta = estimateSpanBytes(span) - estimateSpanBytes(victim);
    entry.bytes += delta;
    this.#bytes += delta;
    this.#filters.stale = true;
    if (entry.addService(span.service)) this.#addServiceRef(span.service);
    return true;
  }

  /**
   * Stores a batch of spans (the panel's pipeline hands over one per drain); returns how many
   * were accepted. Each span is taken as by `add`, in order.
   */
  addBatch(spans: ReadonlyArray<SpanRecord>): number {
    let n = 0;
    for (let i = 0; i < spans.length; i++) if (this.add(spans[i]!)) n++;
    return n;
  }

  /** The same as `addBatch` (its earlier name). */
  addMany(spans: ReadonlyArray<SpanRecord>): number {
    return this.addBatch(spans);
  }

  /** The trace's spans sorted by startTime (a new array), or undefined when it is not stored. */
  getTrace(traceId: string): SpanRecord[] | undefined {
    const entry = this.#traces.get(traceId);
    if (entry === undefined) return undefined;
    if (!entry.sorted) entry.sortSpans();
    return entry.spans();
  }

  /** Whether the trace is stored (O(1), no copy): e.g. for the log store, which keeps the logs of stored traces longest. */
  has(traceId: string): boolean {
    return this.#traces.has(traceId);
  }

  /** The trace's summary, or undefined when it is not stored. */
  getSummary(traceId: string): TraceSummary | undefined {
    const entry = this.#traces.get(traceId);
    return entry === undefined ? undefined : summarize(entry);
  }

  /**
   * Trace summaries matching every given filter, newest first (by first arrival), one page at a
   * time. Pass the returned `nextCursor` as `cursor` for the next, older page: it names the last
   * trace returned, so traces added between pages do not shift or repeat entries.
   * Throws a RangeError for a malformed cursor or a limit outside 1..1000.
   */
  query(q: TraceQuery = {}): TraceQueryResult {
    return queryTraces(this.#querySource, q);
  }

  /** Services with at least one stored span, sorted. */
  services(): string[] {
    return [...this.#serviceRefs.keys()].sort();
  }

  stats(): SpanStoreStats {
    return {
      spans: this.#spans,
      traces: this.#traces.size,
      bytes: this.#bytes,
      maxSpans: this.#maxSpans,
      maxBytes: this.#maxBytes,
      evictedTraces: this.#evictedTraces,
      evictedSpans: this.#evictedSpans,
      evictedBytes: this.#evictedBytes,
      refusedSpans: this.#refused,
      pinned: this.#pinned,
    };
  }

  /** Errors thrown by `onEvict`, caught so eviction (and the host app) carries on. */
  get listenerErrors(): number {
    return this.#listenerErrors;
  }

  /**
   * Sets the sampling reason and/or the pinned flag of a stored trace. Pinned traces are skipped
   * by eviction while any unpinned trace is left. Returns false when the trace is not stored or
   * pinning it would exceed `maxPinned` (then nothing is changed).
   */
  setTraceMeta(traceId: string, meta: { reason?: string; pinned?: boolean }): boolean {
    const entry = this.#traces.get(traceId);
    if (entry === undefined) return false;
    if (meta.pinned === true && !entry.pinned) {
      if (this.#pinned >= this.#maxPinned) return false;
      entry.pinned = true;
      this.#pinned++;
    } else if (meta.pinned === false && entry.pinned) {
      entry.pinned = false;
      this.#pinned--;
    }
    if (meta.reason !== undefined) entry.reason = meta.reason;
    return true;
  }

  /** Removes every trace. Cumulative counters (evicted, refused) are kept. */
  clear(): void {
    this.#traces.clear();
    this.#order.clear();
    this.#aside.length = 0;
    this.#serviceRefs.clear();
    this.#filters.clear();
    this.#spans = 0;
    this.#bytes = 0;
    this.#pinned = 0;
  }

  #addServiceRef(service: string): void {
    this.#serviceRefs.set(service, (this.#serviceRefs.get(service) ?? 0) + 1);
  }

  #dropServiceRef(service: string): void {
    const refs = this.#serviceRefs.get(service)! - 1;
    if (refs === 0) this.#serviceRefs.delete(service);
    else this.#serviceRefs.set(service, refs);
  }

  /** Evicts oldest traces until a span of `bytes` fits; false when it cannot fit even alone. */
  #makeRoom(traceId: string, bytes: number): boolean {
    for (;;) {
      const need = bytes + (this.#traces.has(traceId) ? 0 : TRACE_BYTES);
      if (this.#spans < this.#maxSpans && this.#bytes + need <= this.#maxBytes) return true;
      if (need > this.#maxBytes) return false;
      if (!this.#evictOldest()) return false;
    }
  }

  /**
   * Evicts the oldest trace that is not pinned; when only pinned traces are left, the oldest pinned
   * one (the budgets are hard limits). Returns false when the store is empty.
   */
  #evictOldest(): boolean {
    const aside = this.#aside;
    for (let i = 0; i < aside.length; i++) {
      if (!aside[i]!.pinned) {
        this.#evict(aside.splice(i, 1)[0]!);
        return true;
      }
    }
    for (;;) {
      const e = this.#order.shift();
      if (e === undefined) break;
      if (e.pinned) {
        aside.push(e);
        continue;
      }
      this.#evict(e);
      return true;
    }
    const oldestPinned = aside.shift();
    if (oldestPinned === undefined) return false;
    this.#evict(oldestPinned);
    return true;
  }

  #evict(e: TraceEntry): void {
    this.#traces.delete(e.traceId);
    const n = e.count;
    this.#spans -= n;
    this.#bytes -= e.bytes;
    this.#evictedTraces++;
    this.#evictedSpans += n;
    this.#evictedBytes += e.bytes;
    if (e.pinned) this.#pinned--;
    this.#filters.free(e);
    this.#dropServiceRef(e.service0);
    const more = e.moreServices;
    if (more !== undefined) for (let i = 0; i < more.length; i++) this.#dropServiceRef(more[i]!);
    const listener = this.onEvict;
    if (listener !== undefined) {
      try {
        listener(e.traceId, e.spans());
      } catch {
        this.#listenerErrors++;
      }
    }
  }
}
