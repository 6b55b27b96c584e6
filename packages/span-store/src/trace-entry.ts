import { httpStatusOf, type Attributes, type RetentionFacts, type SpanRecord, type TraceSummary } from '@debugpanel/model';
import { stringBytes } from './estimate.js';
import { hex8, packTraceId, type SpanSlab } from './slab.js';

/**
 * Heap of one trace entry: the object, its Map entry and ring slot, its retention fields and its
 * slot in a class queue (measured with heapUsed deltas over one-span traces). A trace id that is
 * not packed (trace-index.ts) adds its string.
 */
export const TRACE_BYTES = 208;

/** What a trace's second span adds to its entry: its start and end as two heap numbers */
export const WIDE_BYTES = 32;
/** An array of further services (its header and its elements' header), plus 8 per service */
export const SERVICES_BYTES = 48;

const idWords = new Int32Array(4);

/** What a trace costs beyond its spans: its entry, and its id string when that is kept. */
export function traceBytes(traceId: string): number {
  return TRACE_BYTES + (packTraceId(traceId, idWords, 0) ? 0 : stringBytes(traceId));
}

/** `TraceEntry.marks` bits */
export const DEAD = 1;
export const LINKED = 2;
export const EXEMPLAR = 4;
export const SLOW = 8;
const PINNED = 16;
/** Spans are chained in `startTime` order */
const SORTED = 32;
const PARENTLESS_ROOT = 64;
/** Found by its id string, not its packed words (trace-index.ts) */
const BY_STRING = 128;

/**
 * One trace and its summary, kept up to date as spans arrive so queries never re-scan.
 *
 * Its spans live in the store's slab (slab.ts), chained from `head` to `tail` through each slot's
 * `next`: a trace holds no array of its own, and a one-span trace is this object alone.
 */
export class TraceEntry implements RetentionFacts {
  /** Its trace id as four int32s (hex), or id0 the id string as given and the rest 0; '' once evicted */
  id0: number | string;
  id1 = 0;
  id2 = 0;
  id3 = 0;
  /** First and last slot of its chain (arrival order unless `sortSpans` ran); -1 once evicted */
  head: number;
  tail: number;
  count = 1;
  readonly service0: string;
  moreServices: string[] | undefined = undefined;
  /** Slot of the span with no parent; until one arrives, the earliest span */
  root: number;
  /*
   * Trace start and end once a second span arrives (a one-span trace reads its span's): a number
   * field costs a 16-byte heap box per entry, and most traces in one process hold one span.
   * Kept here rather than read through the spans with the earliest start and latest end: a
   * duration filter over the whole store then touches only entries, not the slab.
   */
  start: number | undefined = undefined;
  end: number | undefined = undefined;
  errorCount: number;
  bytes: number;
  reason: string | undefined = undefined;
  /** Index of its retention class in RETENTION_CLASSES (model `retentionClassOf`) */
  cls = 0;
  /** Bit per class queue holding a reference to it (the store's queues, see span-store.ts) */
  queued = 0;
  /** DEAD | LINKED | EXEMPLAR | SLOW | PINNED | SORTED | PARENTLESS_ROOT: one field for the flags (each boolean field costs 8 bytes) */
  marks = SORTED;
  /** Slot of its bigram filter, -1 until a text/attribute/name query first needs one */
  slot = -1;
  /** The first `filtered` spans of its chain have their strings in the filter */
  filtered = 0;

  constructor(
    /** Order of first arrival; queries list newest first by it and cursors point into it */
    readonly seq: number,
    readonly slab: SpanSlab,
    traceId: string,
    /** The slot of its first span (written already) */
    first: number,
    /** The first span's estimate (the entry adds its own, `traceBytes`) */
    bytes: number,
    /** `traceId` packed, when the caller did it already (trace-index.ts) */
    words?: Int32Array,
  ) {
    const w = words ?? (packTraceId(traceId, idWords, 0) ? idWords : undefined);
    if (w !== undefined) {
      this.id0 = w[0]!;
      this.id1 = w[1]!;
      this.id2 = w[2]!;
      this.id3 = w[3]!;
    } else this.id0 = traceId;
    this.head = first;
    this.tail = first;
    this.root = first;
    this.service0 = slab.service(first);
    if (!slab.hasParent(first)) this.marks |= PARENTLESS_ROOT;
    this.errorCount = slab.isError(first) ? 1 : 0;
    this.bytes = TRACE_BYTES + (w === undefined ? stringBytes(traceId) : 0) + bytes;
  }

  /** Its trace id (made from its words each time when packed) */
  get traceId(): string {
    const id0 = this.id0;
    if (typeof id0 === 'string') return id0;
    return hex8(id0) + hex8(this.id1) + hex8(this.id2) + hex8(this.id3);
  }

  /** Its id's last word when packed (the trace index's key) */
  get idWord(): number | undefined {
    return typeof this.id0 === 'number' ? this.id3 : undefined;
  }

  /** Whether its packed id is `w` */
  isTrace(w: Int32Array): boolean {
    return this.id3 === w[3] && this.id0 === w[0] && this.id1 === w[1] && this.id2 === w[2];
  }

  get byString(): boolean {
    return (this.marks & BY_STRING) !== 0;
  }

  set byString(on: boolean) {
    this.marks = on ? this.marks | BY_STRING : this.marks & ~BY_STRING;
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

  get pinned(): boolean {
    return (this.marks & PINNED) !== 0;
  }

  set pinned(on: boolean) {
    this.marks = on ? this.marks | PINNED : this.marks & ~PINNED;
  }

  get sorted(): boolean {
    return (this.marks & SORTED) !== 0;
  }

  get hasParentlessRoot(): boolean {
    return (this.marks & PARENTLESS_ROOT) !== 0;
  }

  get startTime(): number {
    return this.start ?? this.slab.start(this.head);
  }

  get endTime(): number {
    return this.end ?? this.slab.start(this.head) + this.slab.duration(this.head);
  }

  /** The root's attributes (its route and HTTP status name the trace). */
  get rootAttributes(): Attributes {
    return this.slab.attributes(this.root);
  }

  widen(start: number, end: number): void {
    if (this.start === undefined) {
      this.start = this.slab.start(this.head);
      this.end = this.start + this.slab.duration(this.head);
      this.bytes += WIDE_BYTES;
    }
    if (start < this.start) this.start = start;
    if (end > this.end!) this.end = end;
  }

  /** New SpanRecords of the stored spans (equal to those given), in chain order. */
  spans(): SpanRecord[] {
    const out = new Array<SpanRecord>(this.count);
    const slab = this.slab;
    let s = this.head;
    for (let i = 0; i < this.count; i++, s = slab.next(s)) out[i] = slab.record(s, this.traceId);
    return out;
  }

  /** The slots of its spans, in chain order. */
  slots(): number[] {
    const out = new Array<number>(this.count);
    const slab = this.slab;
    let s = this.head;
    for (let i = 0; i < this.count; i++, s = slab.next(s)) out[i] = s;
    return out;
  }

  /** What adding a span of `service` adds to the entry itself (its times, a new service). */
  growthFor(service: string): number {
    return (this.count === 1 ? WIDE_BYTES : 0) + (this.hasService(service) ? 0 : this.moreServices === undefined ? SERVICES_BYTES + 8 : 8);
  }

  /**
   * Adds a later span of the trace (written into `slot` already, `bytes` its estimate): times,
   * order, root, errors follow; `bytes` grows by it and by what the entry grew (`growthFor`).
   */
  append(slot: number, bytes: number): void {
    const slab = this.slab;
    const start = slab.start(slot);
    this.widen(start, start + slab.duration(slot));
    if (start < slab.start(this.tail)) this.marks &= ~SORTED;
    if (!slab.hasParent(slot)) {
      if (!this.hasParentlessRoot || start < slab.start(this.root)) this.root = slot;
      this.marks |= PARENTLESS_ROOT;
    } else if (!this.hasParentlessRoot && (slab.isParentOf(slot, this.root) || start < slab.start(this.root))) {
      // Children end, and so arrive, before their parent: the span the current root hangs under takes
      // over (a server span whose parent is in another process arrives after its own children).
      this.root = slot;
    }
    slab.setNext(this.tail, slot);
    this.tail = slot;
    this.count++;
    this.bytes += bytes;
    if (slab.isError(slot)) this.errorCount++;
  }

  /** Whether `span` would be this trace's root: parentless, or the span its current root hangs under (a remote caller's child). */
  isRootFor(span: SpanRecord): boolean {
    const rootStart = this.slab.start(this.root);
    if (span.parentSpanId === undefined) return !this.hasParentlessRoot || span.startTime < rootStart;
    return !this.hasParentlessRoot && span.spanId === this.slab.parentSpanId(this.root);
  }

  /**
   * The slot of its latest span, to take the trace's new root instead (never its first span or
   * its root), or -1 when there is none to replace.
   */
  replaceableSlot(): number {
    const i = this.tail;
    return this.count < 2 || i === this.root || i === this.head ? -1 : i;
  }

  /**
   * After the span in `replaceableSlot()` (whose error flag was `wasError`) was overwritten by
   * the trace's new root: counts, times and the error count follow; bytes and services are the
   * store's to update.
   */
  tookRoot(slot: number, wasError: boolean): void {
    const slab = this.slab;
    if (wasError) this.errorCount--;
    if (slab.isError(slot)) this.errorCount++;
    const start = slab.start(slot);
    this.widen(start, start + slab.duration(slot));
    this.root = slot;
    if (!slab.hasParent(slot)) this.marks |= PARENTLESS_ROOT;
    this.marks &= ~SORTED;
    // The new span's strings go into the bigram filter on the next query; the victim's stay
    // (bits only get set: at worst a filter candidate that the real match then refuses).
    if (this.filtered > this.count - 1) this.filtered = this.count - 1;
  }

  /** Re-chains its spans in `startTime` order. */
  sortSpans(): void {
    if (this.count > 1) {
      const slab = this.slab;
      const slots = this.slots().sort((a, b) => slab.start(a) - slab.start(b));
      for (let i = 0; i < slots.length - 1; i++) slab.setNext(slots[i]!, slots[i + 1]!);
      slab.setNext(slots[slots.length - 1]!, -1);
      this.head = slots[0]!;
      this.tail = slots[slots.length - 1]!;
    }
    this.marks |= SORTED;
    // Sorting moves unfiltered spans below `filtered`: hash them all again (bits only get set,
    // so hashing a span twice is harmless).
    if (this.filtered < this.count) this.filtered = 0;
  }

  /** Whether `pred` holds for the slot of any of its spans. */
  someSlot(pred: (slab: SpanSlab, slot: number) => boolean): boolean {
    const slab = this.slab;
    let s = this.head;
    for (let i = 0; i < this.count; i++, s = slab.next(s)) if (pred(slab, s)) return true;
    return false;
  }

  /** Frees its slots (eviction): the entry stays a tombstone holding no span. */
  release(): void {
    const slab = this.slab;
    let s = this.head;
    for (let i = 0; i < this.count && s >= 0; i++) {
      const next = slab.next(s);
      slab.free(s);
      s = next;
    }
    this.head = this.tail = this.root = -1;
    this.id0 = '';
    this.moreServices = undefined;
  }

  hasService(service: string): boolean {
    return service === this.service0 || (this.moreServices !== undefined && this.moreServices.includes(service));
  }

  /** Notes a service of one of its spans; true when it is new to this trace. */
  addService(service: string): boolean {
    if (this.hasService(service)) return false;
    // Exact-size copies: traces span few services, and push would reserve 16 spare slots.
    this.bytes += this.moreServices === undefined ? SERVICES_BYTES + 8 : 8;
    this.moreServices = this.moreServices === undefined ? [service] : [...this.moreServices, service];
    return true;
  }

  services(): string[] {
    return this.moreServices === undefined ? [this.service0] : [this.service0, ...this.moreServices];
  }
}

/** Why a trace is kept, as the list shows it: pinning wins over the sampler's reason. */
export function keptReason(e: TraceEntry): string | undefined {
  return e.pinned ? 'pinned' : e.reason;
}

export function summarize(e: TraceEntry): TraceSummary {
  const slab = e.slab;
  const root = e.root;
  const attributes = slab.attributes(root);
  const s: TraceSummary = {
    traceId: e.traceId,
    rootName: slab.name(root),
    rootService: slab.service(root),
    services: e.services(),
    startTime: e.startTime,
    duration: e.endTime - e.startTime,
    spanCount: e.count,
    errorCount: e.errorCount,
  };
  const route = attributes['http.route'];
  if (typeof route === 'string') s.route = route;
  const status = httpStatusOf({ attributes });
  if (status !== undefined) s.httpStatus = status;
  // A pinned trace is kept because it is pinned, whatever sampling said: "Kept: pinned", and
  // `reason=pinned` finds it (the query filter reads the same rule).
  const reason = keptReason(e);
  if (reason !== undefined) s.reason = reason;
  if (e.pinned) s.pinned = true;
  return s;
}

