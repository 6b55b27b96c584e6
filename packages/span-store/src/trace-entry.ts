import { httpStatusOf, isErrorSpan, type RetentionFacts, type SpanRecord, type TraceSummary } from '@debugpanel/model';

/**
 * Heap of one trace entry: the object with its boxed times, its Map entry and ring slot (200,
 * measured), plus its retention fields and its slot in a class queue (24)
 */
export const TRACE_BYTES = 224;

/** `TraceEntry.marks` bits */
export const DEAD = 1;
export const LINKED = 2;
export const EXEMPLAR = 4;
export const SLOW = 8;
/** One slot in a trace's spans array, with the array's growth slack */
export const SLOT_BYTES = 12;

/**
 * One trace and its summary, kept up to date as spans arrive so queries never re-scan.
 *
 * Most traces in one process hold a single span (a request with no child spans), so the first
 * span and the first service sit in plain fields and arrays are only made for the second one:
 * measured, this saves ~100 bytes per one-span trace against two arrays.
 */
export class TraceEntry implements RetentionFacts {
  /** Its first span; after eviction a shared placeholder, so a tombstone holds no span */
  first: SpanRecord;
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
  /** Index of its retention class in RETENTION_CLASSES (model `retentionClassOf`) */
  cls = 0;
  /** Bit per class queue holding a reference to it (the store's queues, see span-store.ts) */
  queued = 0;
  /** DEAD | LINKED | EXEMPLAR | SLOW: one field for four flags (each boolean field costs 8 bytes) */
  marks = 0;
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

  get dead(): boolean {
    return (this.marks & DEAD) !== 0;
  }

  get linked(): boolean {
    return (this.marks & LINKED) !== 0;
  }

  get slow(): boolean {
    return (this.marks & SLOW) !== 0;
  }

  get exemplar(): boolean {
    return (this.marks & EXEMPLAR) !== 0;
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

  /** Adds a later span of the trace (`bytes` its estimate): times, order, root, errors follow. */
  append(span: SpanRecord, bytes: number): void {
    const start = span.startTime;
    this.widen(start, start + span.duration);
    if (this.sorted && start < this.last().startTime) this.sorted = false;
    if (span.parentSpanId === undefined) {
      if (!this.hasParentlessRoot || start < this.root.startTime) this.root = span;
      this.hasParentlessRoot = true;
    } else if (!this.hasParentlessRoot && (span.spanId === this.root.parentSpanId || start < this.root.startTime)) {
      // Children end, and so arrive, before their parent: the span the current root hangs under takes
      // over (a server span whose parent is in another process arrives after its own children).
      this.root = span;
    }
    this.push(span);
    this.bytes += bytes;
    if (isErrorSpan(span)) this.errorCount++;
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

  /** Whether `span` would be this trace's root: parentless, or the span its current root hangs under (a remote caller's child). */
  isRootFor(span: SpanRecord): boolean {
    if (span.parentSpanId === undefined) return !this.hasParentlessRoot || span.startTime < this.root.startTime;
    return !this.hasParentlessRoot && span.spanId === this.root.parentSpanId;
  }

  /**
   * Puts `span`, the trace's new root, in the slot of its latest span (never its first or its
   * root) and returns the span it replaced, or undefined when there is none to replace. Counts,
   * times and the error count follow; bytes and services are the store's to update.
   */
  replaceLastWithRoot(span: SpanRecord): SpanRecord | undefined {
    const many = this.many;
    const i = this.count - 1;
    const victim = many?.[i];
    if (many === undefined || i < 1 || victim === undefined || victim === this.root) return undefined;
    many[i] = span;
    if (isErrorSpan(victim)) this.errorCount--;
    if (isErrorSpan(span)) this.errorCount++;
    this.widen(span.startTime, span.startTime + span.duration);
    this.root = span;
    if (span.parentSpanId === undefined) this.hasParentlessRoot = true;
    this.sorted = false;
    // The new span's strings go into the bigram filter on the next query; the victim's stay
    // (bits only get set: at worst a filter candidate that the real match then refuses).
    if (this.filtered > i) this.filtered = i;
    return victim;
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

  /** Notes a service of one of its spans; true when it is new to this trace. */
  addService(service: string): boolean {
    if (this.hasService(service)) return false;
    // Exact-size copies: traces span few services, and push would reserve 16 spare slots.
    this.moreServices = this.moreServices === undefined ? [service] : [...this.moreServices, service];
    return true;
  }

  services(): string[] {
    return this.moreServices === undefined ? [this.service0] : [this.service0, ...this.moreServices];
  }
}

/** The list entry of a trace: what the trace list and the live stream show. */
/** Why a trace is kept, as the list shows it: pinning wins over the sampler's reason. */
export function keptReason(e: TraceEntry): string | undefined {
  return e.pinned ? 'pinned' : e.reason;
}

export function summarize(e: TraceEntry): TraceSummary {
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
  // A pinned trace is kept because it is pinned, whatever sampling said: "Kept: pinned", and
  // `reason=pinned` finds it (the query filter reads the same rule).
  const reason = keptReason(e);
  if (reason !== undefined) s.reason = reason;
  if (e.pinned) s.pinned = true;
  return s;
}

