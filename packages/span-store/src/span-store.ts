import {
  DEFAULT_QUERY_LIMIT,
  MAX_QUERY_LIMIT,
  RingBuffer,
  checkKeys,
  checkValue,
  httpStatusOf,
  isErrorSpan,
  isPositiveInt,
  must,
  type Check,
  type Schema,
  type SpanRecord,
  type TraceQuery,
  type TraceQueryResult,
  type StoreStats,
  type TraceSummary,
  BigramFilters,
  FILTER_BYTES,
  ID_SEP,
  NAME_SEP,
  keySep,
  makeNeedle,
  type Needle,
} from '@debugpanel/model';
import { estimateSpanBytes } from './estimate.js';

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

/** Heap of one trace entry: the object with its boxed times, its Map entry and ring slot (measured) */
const TRACE_BYTES = 200;
/** One slot in a trace's spans array, with the array's growth slack */
const SLOT_BYTES = 12;

/**
 * One trace and its summary, kept up to date as spans arrive so queries never re-scan.
 *
 * Most traces in one process hold a single span (a request with no child spans), so the first
 * span and the first service sit in plain fields and arrays are only made for the second one:
 * measured, this saves ~100 bytes per one-span trace against two arrays.
 */
class TraceEntry {
  readonly first: SpanRecord;
  /**
   * Every span, first included, once there are two or more: slots [0, count), holes after.
   * Grown by hand, because `push` adds 16 spare slots to a small array (~130 bytes wasted on a
   * 3-span trace, measured), and by half, not double (2, 3, 4, 6, 9, 13...): a 9-span trace then
   * holds 9 slots instead of 16.
   */
  many: Array<SpanRecord | undefined> | undefined = undefined;
  count = 1;
  readonly service0: string;
  moreServices: string[] | undefined = undefined;
  /** Spans are in `startTime` order (checked on each add, so `getTrace` rarely sorts) */
  sorted = true;
  /** The span with no parent; until one arrives, the earliest span */
  root: SpanRecord;
  hasParentlessRoot: boolean;
  /*
   * Trace start and end once a second span arrives (a one-span trace reads its span's): a number
   * field costs a 16-byte heap box per entry, and most traces in one process hold one span.
   * Kept here rather than read through the spans with the earliest start and latest end: a
   * duration filter over the whole store then touches only entries, not scattered span objects
   * (measured ~8x faster for a rare minDuration over 100,000 spans).
   */
  start: number | undefined = undefined;
  end: number | undefined = undefined;
  errorCount: number;
  bytes: number;
  reason: string | undefined = undefined;
  pinned = false;
  /** Slot of its bigram filter, -1 until a text/attribute/name query first needs one */
  slot = -1;
  /** Spans [0, filtered) have their strings in the filter */
  filtered = 0;

  constructor(
    /** Order of first arrival; queries list newest first by it and cursors point into it */
    readonly seq: number,
    first: SpanRecord,
    bytes: number,
  ) {
    this.first = first;
    this.service0 = first.service;
    this.root = first;
    this.hasParentlessRoot = first.parentSpanId === undefined;
    this.errorCount = isErrorSpan(first) ? 1 : 0;
    this.bytes = TRACE_BYTES + bytes;
  }

  get traceId(): string {
    return this.first.traceId;
  }

  get startTime(): number {
    return this.start ?? this.first.startTime;
  }

  get endTime(): number {
    return this.end ?? this.first.startTime + this.first.duration;
  }

  widen(start: number, end: number): void {
    if (this.start === undefined) {
      this.start = this.first.startTime;
      this.end = this.start + this.first.duration;
    }
    if (start < this.start) this.start = start;
    if (end > this.end!) this.end = end;
  }

  /** A new array of the stored spans, in arrival order unless `sortSpans` ran. */
  spans(): SpanRecord[] {
    return this.many === undefined ? [this.first] : (this.many.slice(0, this.count) as SpanRecord[]);
  }

  push(span: SpanRecord): void {
    let many = this.many;
    const n = this.count;
    if (many === undefined) {
      many = this.many = new Array<SpanRecord | undefined>(2);
      many[0] = this.first;
    } else if (n === many.length) {
      const next = new Array<SpanRecord | undefined>(n + (n >> 1));
      for (let i = 0; i < n; i++) next[i] = many[i];
      many = this.many = next;
    }
    many[n] = span;
    this.count = n + 1;
  }

  last(): SpanRecord {
    return this.many === undefined ? this.first : this.many[this.count - 1]!;
  }

  sortSpans(): void {
    if (this.many !== undefined) this.many = this.spans().sort((a, b) => a.startTime - b.startTime);
    this.sorted = true;
    // Sorting moves unfiltered spans below `filtered`: hash them all again (bits only get set,
    // so hashing a span twice is harmless).
    if (this.filtered < this.count) this.filtered = 0;
  }

  someSpan(pred: (s: SpanRecord) => boolean): boolean {
    const many = this.many;
    if (many === undefined) return pred(this.first);
    for (let i = 0; i < this.count; i++) if (pred(many[i]!)) return true;
    return false;
  }

  hasService(service: string): boolean {
    return service === this.service0 || (this.moreServices !== undefined && this.moreServices.includes(service));
  }

  services(): string[] {
    return this.moreServices === undefined ? [this.service0] : [this.service0, ...this.moreServices];
  }
}

type Filter = (e: TraceEntry) => boolean;

const CURSOR_PREFIX = 's';
/** Traces a query with a needle walks newest first before it scans the filters instead */
const PROBE_TRACES = 256;

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
  /** Traces in first-arrival order (ascending seq) */
  readonly #order: RingBuffer<TraceEntry>;
  /**
   * Pinned traces that reached the oldest end of `#order` while being evicted past. All are older
   * than everything in `#order`, and are in ascending seq. Unpinned ones here are evicted first.
   */
  #aside: TraceEntry[] = [];
  /**
   * Bigram filters of every trace, made by the first query with `text`, `attributes` or `name`
   * and brought up to date by each such query (never on `add`: ingest pays nothing for them).
   */
  #filters: BigramFilters | undefined = undefined;
  /** The trace of each filter slot */
  #bySlot: Array<TraceEntry | undefined> = [];
  /** Spans were added since the filters were last brought up to date */
  #filtersStale = false;
  /** service -> number of stored traces with a span of it */
  readonly #serviceRefs = new Map<string, number>();

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
      // A full trace still takes its root (it arrives last, after its children): it names and
      // dates the trace. The latest other span makes room and is counted as refused instead.
      this.#refused++;
      return this.#isRootFor(entry, span) && this.#replaceLast(entry, span);
    }
    const bytes = estimateSpanBytes(span) + SLOT_BYTES;
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
    this.#filtersStale = true;
    if (entry === undefined) {
      entry = new TraceEntry(this.#seq++, span, bytes);
      this.#traces.set(traceId, entry);
      this.#order.push(entry); // never full: #makeRoom keeps traces <= spans <= maxSpans
      this.#bytes += TRACE_BYTES + bytes;
      this.#addServiceRef(span.service);
      return true;
    }
    const start = span.startTime;
    entry.widen(start, start + span.duration);
    if (entry.sorted && start < entry.last().startTime) entry.sorted = false;
    if (span.parentSpanId === undefined) {
      if (!entry.hasParentlessRoot || start < entry.root.startTime) entry.root = span;
      entry.hasParentlessRoot = true;
    } else if (!entry.hasParentlessRoot && (span.spanId === entry.root.parentSpanId || start < entry.root.startTime)) {
      // Children end, and so arrive, before their parent: the span the current root hangs under takes
      // over (a server span whose parent is in another process arrives after its own children).
      entry.root = span;
    }
    entry.push(span);
    entry.bytes += bytes;
    this.#bytes += bytes;
    if (isErrorSpan(span)) entry.errorCount++;
    const service = span.service;
    if (!entry.hasService(service)) {
      // Exact-size copies: traces span few services, and push would reserve 16 spare slots.
      entry.moreServices = entry.moreServices === undefined ? [service] : [...entry.moreServices, service];
      this.#addServiceRef(service);
    }
    return true;
  }

  /** The trace's root: parentless, or the span its current root hangs under (a remote caller's child). */
  #isRootFor(entry: TraceEntry, span: SpanRecord): boolean {
    if (span.parentSpanId === undefined) return !entry.hasParentlessRoot || span.startTime < entry.root.startTime;
    return !entry.hasParentlessRoot && span.spanId === entry.root.parentSpanId;
  }

  /** Puts `span` in the slot of the trace's latest span (never its first or its root). */
  #replaceLast(entry: TraceEntry, span: SpanRecord): boolean {
    const many = entry.many;
    const i = entry.count - 1;
    const victim = many?.[i];
    if (many === undefined || i < 1 || victim === undefined || victim === entry.root) return false;
    const delta = estimateSpanBytes(span) - estimateSpanBytes(victim);
    many[i] = span;
    entry.bytes += delta;
    this.#bytes += delta;
    if (isErrorSpan(victim)) entry.errorCount--;
    if (isErrorSpan(span)) entry.errorCount++;
    entry.widen(span.startTime, span.startTime + span.duration);
    entry.root = span;
    if (span.parentSpanId === undefined) entry.hasParentlessRoot = true;
    entry.sorted = false;
    // The new span's strings go into the bigram filter on the next query; the victim's stay
    // (bits only get set: at worst a filter candidate that the real match then refuses).
    if (entry.filtered > i) entry.filtered = i;
    this.#filtersStale = true;
    if (!entry.hasService(span.service)) {
      entry.moreServices = entry.moreServices === undefined ? [span.service] : [...entry.moreServices, span.service];
      this.#addServiceRef(span.service);
    }
    return true;
  }

  /** Stores each span in turn; returns how many were accepted. */
  addMany(spans: ReadonlyArray<SpanRecord>): number {
    let n = 0;
    for (let i = 0; i < spans.length; i++) if (this.add(spans[i]!)) n++;
    return n;
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
    const limit = q.limit ?? DEFAULT_QUERY_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
      throw new RangeError(`SpanStore.query: limit must be an integer from 1 to ${MAX_QUERY_LIMIT}, got ${String(limit)}`);
    }
    const before = q.cursor === undefined || q.cursor === '' ? Infinity : decodeCursor(q.cursor);
    const needle = needleOf(q);
    if (needle !== undefined) this.#updateFilters();
    const match = compileFilter(q, needle === undefined ? undefined : { filters: this.#filters!, needle });
    const out: TraceSummary[] = [];
    let last: TraceEntry | undefined;
    let more = false;
    /*
     * With a needle, walking newest first stops after PROBE_TRACES traces: a common needle has
     * filled the page by then, and a rare one is better served by one pass over the filters'
     * shared array (contiguous memory) than by reading each entry (a cache miss apiece).
     */
    let budget = needle === undefined ? Infinity : PROBE_TRACES;
    /** Seq of the first trace the walk did not examine (it and older ones remain) */
    let stoppedAt = -1;

    /** Returns true once the page is full and one more match exists (there is a next page). */
    const take = (e: TraceEntry): boolean => {
      if (match !== undefined && !match(e)) return false;
      if (out.length === limit) return true;
      out.push(summarize(e));
      last = e;
      return false;
    };
    const scan = (at: (i: number) => TraceEntry, size: number): boolean => {
      for (let i = lastIndexBelow(at, size, before); i >= 0; i--) {
        const e = at(i);
        if (budget-- === 0) {
          stoppedAt = e.seq;
          return false;
        }
        if (take(e)) return true;
      }
      return false;
    };
    const order = this.#order;
    more = scan((i) => order.at(i)!, order.size);
    if (!more && stoppedAt < 0) {
      const aside = this.#aside;
      more = scan((i) => aside[i]!, aside.length);
    }
    if (!more && stoppedAt >= 0) {
      const below = stoppedAt + 1;
      const rest = this.#filters!.candidates(needle!, this.#bySlot).filter((e) => e.seq < below);
      rest.sort((a, b) => b.seq - a.seq);
      for (let i = 0; i < rest.length && !more; i++) more = take(rest[i]!);
    }
    const result: TraceQueryResult = { traces: out };
    if (more && last !== undefined) result.nextCursor = CURSOR_PREFIX + last.seq.toString(36);
    return result;
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
    this.#aside = [];
    this.#serviceRefs.clear();
    this.#filters = undefined;
    this.#bySlot = [];
    this.#spans = 0;
    this.#bytes = 0;
    this.#pinned = 0;
  }

  #addServiceRef(service: string): void {
    this.#serviceRefs.set(service, (this.#serviceRefs.get(service) ?? 0) + 1);
  }

  /** Gives every trace a filter and hashes the spans added since the last call. */
  #updateFilters(): void {
    let filters = this.#filters;
    if (filters === undefined) filters = this.#filters = new BigramFilters();
    else if (!this.#filtersStale) return;
    this.#filtersStale = false;
    const order = this.#order;
    for (let i = 0; i < order.size; i++) this.#filterEntry(filters, order.at(i)!);
    for (const e of this.#aside) this.#filterEntry(filters, e);
  }

  #filterEntry(filters: BigramFilters, e: TraceEntry): void {
    let slot = e.slot;
    if (slot < 0) {
      slot = e.slot = filters.alloc();
      this.#bySlot[slot] = e;
      filters.add(slot, e.traceId, ID_SEP);
      // Counted like span bytes: the filter lives and dies with its trace.
      e.bytes += FILTER_BYTES;
      this.#bytes += FILTER_BYTES;
    }
    const n = e.count;
    if (e.filtered === n) return;
    if (e.many === undefined) {
      filterSpan(filters, slot, e.first);
    } else {
      for (let i = e.filtered; i < n; i++) filterSpan(filters, slot, e.many[i]!);
    }
    e.filtered = n;
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
    if (e.slot >= 0) {
      this.#filters!.free(e.slot);
      this.#bySlot[e.slot] = undefined;
    }
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

function summarize(e: TraceEntry): TraceSummary {
  const root = e.root;
  const s: TraceSummary = {
    traceId: e.traceId,
    rootName: root.name,
    rootService: root.service,
    services: e.services(),
    startTime: e.startTime,
    duration: e.endTime - e.startTime,
    spanCount: e.count,
    errorCount: e.errorCount,
  };
  const route = root.attributes['http.route'];
  if (typeof route === 'string') s.route = route;
  const status = httpStatusOf(root);
  if (status !== undefined) s.httpStatus = status;
  if (e.reason !== undefined) s.reason = e.reason;
  if (e.pinned) s.pinned = true;
  return s;
}

function decodeCursor(cursor: string): number {
  const body = cursor.slice(CURSOR_PREFIX.length);
  const seq = cursor.startsWith(CURSOR_PREFIX) && /^[0-9a-z]{1,11}$/.test(body) ? parseInt(body, 36) : NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new RangeError(`SpanStore.query: invalid cursor "${cursor.slice(0, 40)}"; pass a nextCursor from a previous page`);
  }
  return seq;
}

/** Index of the last entry with seq < before (entries are in ascending seq), or -1. */
function lastIndexBelow(at: (i: number) => TraceEntry, size: number, before: number): number {
  if (before === Infinity) return size - 1;
  let lo = 0;
  let hi = size; // first index with seq >= before lies in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid).seq < before) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function filterSpan(filters: BigramFilters, slot: number, s: SpanRecord): void {
  filters.add(slot, s.name, NAME_SEP);
  const attrs = s.attributes;
  for (const k in attrs) {
    const v = attrs[k];
    if (typeof v === 'string') filters.add(slot, v, keySep(k));
    else if (v !== undefined) filters.add(slot, String(v), keySep(k));
  }
}

/** The bigram bits any trace matching `name`, `attributes` and `text` must have, or undefined. */
function needleOf(q: TraceQuery): Needle | undefined {
  const parts: Needle[] = [];
  const push = (n: Needle | undefined): void => {
    if (n !== undefined) parts.push(n);
  };
  if (q.name !== undefined && q.name !== '') push(makeNeedle(q.name, NAME_SEP));
  if (q.attributes !== undefined) {
    for (const [k, v] of Object.entries(q.attributes)) push(makeNeedle(String(v), keySep(k)));
  }
  if (q.text !== undefined && q.text !== '') push(makeNeedle(q.text, -1));
  if (parts.length <= 1) return parts[0];
  // Every part must match, so the union of their bits is the test.
  const byWord = new Map<number, number>();
  for (const p of parts) for (let i = 0; i < p.words.length; i++) byWord.set(p.words[i]!, (byWord.get(p.words[i]!) ?? 0) | p.masks[i]!);
  return { words: Int32Array.from(byWord.keys()), masks: Int32Array.from(byWord.values()) };
}

/**
 * One predicate for the query's filters, cheapest checks first; undefined when none is set.
 * With `bloom`, traces whose filter lacks the needle's bits are skipped before their spans are read.
 */
function compileFilter(q: TraceQuery, bloom?: { filters: BigramFilters; needle: Needle }): Filter | undefined {
  const checks: Filter[] = [];
  const { reason, status, minDuration, maxDuration, since, until, route, service, name, attributes, text } = q;
  if (reason !== undefined && reason !== '') checks.push((e) => e.reason === reason);
  if (status === 'error') checks.push((e) => e.errorCount > 0);
  else if (status === 'ok') checks.push((e) => e.errorCount === 0);
  if (minDuration !== undefined) checks.push((e) => e.endTime - e.startTime >= minDuration);
  if (maxDuration !== undefined) checks.push((e) => e.endTime - e.startTime <= maxDuration);
  if (since !== undefined) checks.push((e) => e.startTime >= since);
  if (until !== undefined) checks.push((e) => e.startTime <= until);
  if (route !== undefined && route !== '') checks.push((e) => e.root.attributes['http.route'] === route);
  if (service !== undefined && service !== '') checks.push((e) => e.hasService(service));
  if (bloom !== undefined) {
    const { filters, needle } = bloom;
    checks.push((e) => filters.mayContain(e.slot, needle));
  }
  if (name !== undefined && name !== '') checks.push((e) => e.someSpan((s) => s.name === name));
  if (attributes !== undefined) {
    const pairs = Object.entries(attributes);
    if (pairs.length > 0) {
      checks.push((e) =>
        pairs.every(([k, v]) =>
          e.someSpan((s) => {
            const a = s.attributes[k];
            return a !== undefined && (typeof a === 'string' ? a === v : String(a) === v);
          }),
        ),
      );
    }
  }
  if (text !== undefined && text !== '') {
    // One case-insensitive regexp instead of lower-casing every value (no allocation per value).
    const re = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    checks.push((e) => re.test(e.traceId) || e.someSpan((s) => spanHasText(s, re)));
  }
  if (checks.length === 0) return undefined;
  if (checks.length === 1) return checks[0];
  return (e) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(e)) return false;
    return true;
  };
}

function spanHasText(s: SpanRecord, re: RegExp): boolean {
  if (re.test(s.name)) return true;
  const attrs = s.attributes;
  for (const k in attrs) {
    const v = attrs[k];
    if (re.test(typeof v === 'string' ? v : String(v))) return true;
  }
  return false;
}
