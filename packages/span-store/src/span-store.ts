import {
  RingBuffer,
  checkKeys,
  isErrorSpan,
  checkValue,
  isNumberAtLeast,
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
import { Interner, storeSpan } from './compact.js';
import { SpanSlab } from './slab.js';
import { TraceFilters } from './trace-filters.js';
import { DEAD, EXEMPLAR, LINKED, SLOW, TraceEntry, summarize } from './trace-entry.js';
import { TraceIndex } from './trace-index.js';
import { queryTraces, type QuerySource } from './trace-query.js';
import { classIndex, RetentionQueues } from './retention.js';

export interface SpanStoreOptions {
  /** Most spans held at once (default 100,000) */
  maxSpans?: number;
  /** Most estimated heap bytes held at once (default 64 MiB), see `estimateSpanBytes` */
  maxBytes?: number;
  /** Most spans kept for one trace (default 10,000); more are refused and counted */
  maxSpansPerTrace?: number;
  /** Most traces pinned at once (default 100) */
  maxPinned?: number;
  /**
   * Most traces linked from incidents or breakpoint snapshots at once (default 1,000); linking
   * one more unlinks the oldest link (it falls back to its own class)
   */
  maxLinked?: number;
  /** A trace at least this long (ms) is in the `slow` retention class (default 1,000) */
  slowTraceMs?: number;
  /** Traces per route per minute (of their start) kept as `exemplar`s ahead of `normal` ones (default 3) */
  exemplarsPerMinute?: number;
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
  maxLinked: 1000,
  slowTraceMs: 1000,
  exemplarsPerMinute: 3,
} as const;

/** Routes whose exemplar count per minute is kept; past this the counts start over */
const MAX_EXEMPLAR_ROUTES = 1000;
/** Tombstones the query order may hold beyond the live traces before it is compacted */
const ORDER_SLACK = 64;
/** The order is compacted once its tombstones outnumber live traces >> this (a quarter) */
const TOMBSTONE_SHIFT = 2;

const OPTIONS: Schema = {
  maxSpans: isPositiveInt,
  maxBytes: isPositiveInt,
  maxSpansPerTrace: isPositiveInt,
  maxPinned: isPositiveInt,
  maxLinked: isPositiveInt,
  slowTraceMs: isNumberAtLeast(0),
  exemplarsPerMinute: isNumberAtLeast(0),
} satisfies Record<keyof SpanStoreOptions, Check>;

/**
 * An in-memory index of traces within a count and byte budget. It holds the `SpanRecord`
 * objects it is given (no copies), groups them by trace, keeps each trace's summary up to date
 * on `add`, and evicts whole traces when a budget overflows: thinned by retention class
 * (model `retentionClassOf`), `normal` traces first, then `exemplar`s, `slow` and `error` traces,
 * `linked` ones, `pinned` ones last; the oldest (by first arrival into the class) within a class.
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
  readonly #maxLinked: number;
  readonly #slowMs: number;
  readonly #exemplars: number;

  readonly #traces = new TraceIndex();
  /** The spans themselves, in columns (slab.ts) */
  readonly #slab = new SpanSlab();
  /** Shared copies of repeated strings (compact.ts) */
  readonly #interner = new Interner();
  /**
   * Traces in first-arrival order (ascending seq), what queries walk. Evicted traces stay as
   * tombstones (`dead`) until they reach the front or outnumber the live ones (then one
   * compacting pass): eviction takes traces from the middle (see RetentionQueues).
   */
  readonly #order: RingBuffer<TraceEntry>;
  #orderDead = 0;
  /** What to evict next: one queue per retention class */
  readonly #retention: RetentionQueues;
  /** Trace ids linked before their first span arrived (a snapshot is taken while its request runs); at most maxLinked, oldest dropped */
  readonly #pendingLinks = new Set<string>();
  /** route -> exemplars counted in its current minute */
  readonly #exemplarCounts = new Map<string, { minute: number; n: number }>();
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
  #linked = 0;
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
    this.#maxLinked = get('maxLinked');
    this.#slowMs = get('slowTraceMs');
    this.#exemplars = get('exemplarsPerMinute');
    // Each stored trace holds at least one span, so maxSpans bounds the number of traces; the
    // order holds at most as many tombstones again (plus slack), see #evict.
    this.#order = new RingBuffer<TraceEntry>(2 * this.#maxSpans + 2 * ORDER_SLACK);
    this.#retention = new RetentionQueues(this.#maxSpans);
    const filters = this.#filters;
    this.#querySource = {
      order: this.#order,
      get bySlot() {
        return filters.bySlot;
      },
      updateFilters: () => {
        const { filters: f, added } = filters.update(this.#order);
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
    const slab = this.#slab;
    // Written before room is made (the slot is nobody's until linked below): the estimate needs it.
    const slot = slab.alloc();
    const bytes = storeSpan(slab, slot, span, this.#interner, isErrorSpan(span));
    if (
      this.#spans >= this.#maxSpans ||
      this.#bytes + bytes + (entry === undefined ? this.#traces.newTraceBytes(traceId) : entry.growthFor(span.service)) > this.#maxBytes
    ) {
      if (!this.#makeRoom(entry, traceId, span.service, bytes)) {
        slab.free(slot);
        this.#refused++;
        return false;
      }
      // Eviction may have taken this span's own trace: its late spans start a fresh entry.
      if (entry?.dead === true) entry = this.#traces.get(traceId);
    }

    this.#spans++;
    this.#filters.stale = true;
    if (entry === undefined) {
      entry = new TraceEntry(this.#seq++, slab, traceId, slot, bytes, this.#traces.wordsOf(traceId));
      this.#traces.add(entry, traceId);
      this.#order.push(entry); // never full: #makeRoom keeps traces <= spans <= maxSpans, #evict the tombstones
      this.#bytes += entry.bytes;
      this.#addServiceRef(span.service);
      this.#noteRoot(entry);
      if (this.#pendingLinks.size !== 0 && this.#pendingLinks.delete(traceId)) this.#markLinked(entry);
      this.#retention.add(entry);
      return true;
    }
    const root = entry.root;
    const errors = entry.errorCount;
    const before = entry.bytes;
    entry.append(slot, bytes);
    this.#retention.spans[entry.cls]!++;
    if (entry.addService(span.service)) this.#addServiceRef(span.service);
    this.#bytes += entry.bytes - before;
    // Its class can change only when its root or its first error arrives.
    if (entry.root !== root) {
      this.#noteRoot(entry);
      this.#retention.update(entry);
    } else if (errors === 0 && entry.errorCount > 0) this.#retention.update(entry);
    return true;
  }

  /**
   * Notes what a trace's (new) root says of its class: slow when the trace is `slowTraceMs` long
   * so far, an exemplar when it is one of the first `exemplarsPerMinute` of its route in its
   * minute (only a trace no other rule keeps takes a place).
   */
  #noteRoot(e: TraceEntry): void {
    if ((e.marks & SLOW) === 0 && e.endTime - e.startTime >= this.#slowMs) e.marks |= SLOW;
    if ((e.marks & (EXEMPLAR | SLOW)) !== 0 || e.errorCount > 0 || this.#exemplars === 0) return;
    const route = e.rootAttributes['http.route'];
    if (typeof route !== 'string') return;
    const minute = Math.floor(e.startTime / 60_000);
    const counts = this.#exemplarCounts;
    let c = counts.get(route);
    if (c === undefined) {
      if (counts.size >= MAX_EXEMPLAR_ROUTES) counts.clear(); // bounded: start the counts over
      counts.set(route, (c = { minute, n: 0 }));
    }
    if (c.minute !== minute) {
      if (minute < c.minute) return; // a late trace of a minute already past: not counted
      c.minute = minute;
      c.n = 0;
    }
    if (c.n >= this.#exemplars) return;
    c.n++;
    e.marks |= EXEMPLAR;
  }

  /** Puts the full trace's new root in place of its latest span (see TraceEntry.replaceLastWithRoot). */
  #replaceLast(entry: TraceEntry, span: SpanRecord): boolean {
    const slot = entry.replaceableSlot();
    if (slot < 0) return false;
    const slab = this.#slab;
    const old = slab.bytes(slot);
    const wasError = slab.isError(slot);
    const next = slab.next(slot);
    const delta = storeSpan(slab, slot, span, this.#interner, isErrorSpan(span)) - old;
    slab.setNext(slot, next);
    const before = entry.bytes;
    entry.tookRoot(slot, wasError);
    entry.bytes += delta;
    if (entry.addService(span.service)) this.#addServiceRef(span.service);
    this.#bytes += entry.bytes - before;
    this.#filters.stale = true;
    this.#noteRoot(entry);
    this.#retention.update(entry);
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
      linked: this.#linked,
      retention: this.#retention.stats(),
    };
  }

  /** References held by the order and the class queues, tombstones included: stays within a few times `traces` (for tests of that bound). */
  get references(): number {
    return this.#order.size + this.#retention.references;
  }

  /** Errors thrown by `onEvict`, caught so eviction (and the host app) carries on. */
  get listenerErrors(): number {
    return this.#listenerErrors;
  }

  /**
   * Sets the sampling reason, the pinned flag and/or the linked flag of a stored trace; its
   * retention class follows (model `retentionClassOf`). Pinned traces are evicted last, linked
   * ones (referenced by an incident or a snapshot) just before them. Returns false when the trace
   * is not stored or pinning it would exceed `maxPinned` (then nothing is changed); linking past
   * `maxLinked` unlinks the oldest linked trace instead.
   */
  setTraceMeta(traceId: string, meta: { reason?: string; pinned?: boolean; linked?: boolean }): boolean {
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
    if (meta.linked === true && !entry.linked) {
      this.#markLinked(entry);
    } else if (meta.linked === false && entry.linked) {
      entry.marks &= ~LINKED;
      this.#linked--;
    }
    if (meta.reason !== undefined) entry.reason = meta.reason;
    this.#retention.update(entry);
    return true;
  }

  /**
   * Links the traces of `traceIds` (an incident's evidence, a snapshot's trace; see setTraceMeta).
   * An id not stored yet is remembered (at most `maxLinked`, the oldest forgotten first) and
   * linked when its first span arrives: a snapshot is taken while its request still runs.
   * Returns how many of the traces are stored (and now linked).
   */
  link(traceIds: Iterable<string>): number {
    let n = 0;
    for (const id of traceIds) {
      if (typeof id !== 'string') continue;
      const e = this.#traces.get(id);
      if (e === undefined) {
        const pending = this.#pendingLinks;
        pending.delete(id);
        if (pending.size >= this.#maxLinked) pending.delete(pending.values().next().value!);
        pending.add(id);
        continue;
      }
      n++;
      if (!e.linked) this.setTraceMeta(id, { linked: true });
    }
    return n;
  }

  #markLinked(e: TraceEntry): void {
    if (this.#linked >= this.#maxLinked) this.#unlinkOldest();
    e.marks |= LINKED;
    this.#linked++;
  }

  /** Drops the oldest link: the oldest trace of the `linked` class (pinned ones keep theirs, they are pinned anyway). */
  #unlinkOldest(): void {
    const oldest = this.#retention.head(classIndex('linked'));
    if (oldest !== undefined) {
      oldest.marks &= ~LINKED;
      this.#linked--;
      this.#retention.update(oldest);
      return;
    }
    // Every link is on a pinned trace: the oldest of those loses its link.
    for (const e of this.#order) {
      if (!e.dead && e.linked) {
        e.marks &= ~LINKED;
        this.#linked--;
        return;
      }
    }
  }

  /** Removes every trace. Cumulative counters (evicted, refused) are kept. */
  clear(): void {
    this.#traces.clear();
    this.#order.clear();
    this.#orderDead = 0;
    this.#retention.clear();
    this.#exemplarCounts.clear();
    this.#pendingLinks.clear();
    this.#serviceRefs.clear();
    this.#filters.clear();
    this.#slab.clear();
    this.#spans = 0;
    this.#bytes = 0;
    this.#pinned = 0;
    this.#linked = 0;
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
  #makeRoom(entry: TraceEntry | undefined, traceId: string, service: string, bytes: number): boolean {
    const traceCost = this.#traces.newTraceBytes(traceId);
    for (;;) {
      const need = bytes + (entry === undefined || entry.dead ? traceCost : entry.growthFor(service));
      if (this.#spans < this.#maxSpans && this.#bytes + need <= this.#maxBytes) return true;
      if (need > this.#maxBytes) return false;
      const next = this.#retention.takeNext();
      if (next === undefined) return false;
      this.#evict(next);
    }
  }

  #evict(e: TraceEntry): void {
    this.#traces.delete(e);
    const n = e.count;
    this.#spans -= n;
    this.#bytes -= e.bytes;
    this.#evictedTraces++;
    this.#evictedSpans += n;
    this.#evictedBytes += e.bytes;
    if (e.pinned) this.#pinned--;
    if (e.linked) this.#linked--;
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
    // A tombstone in the order (and maybe in a class queue it left) until passed: it keeps no span.
    e.marks |= DEAD;
    e.release();
    const order = this.#order;
    this.#orderDead++;
    for (let h = order.peek(); h !== undefined && h.dead; h = order.peek()) {
      order.shift();
      this.#orderDead--;
    }
    // At most a quarter as many tombstones as live traces (each is a whole TraceEntry, ~200 B of
    // JS heap: up to as many as the live ones, ~20 MiB at 100,000 one-span traces, when this
    // compacted only past the live count); a pass costs ~10 ns per entry, ~40 ns per eviction.
    if (this.#orderDead > (this.#traces.size >> TOMBSTONE_SHIFT) + ORDER_SLACK) {
      order.retain((t) => !t.dead);
      this.#orderDead = 0;
    }
  }
}
