/**
 * Where the store keeps its spans: columns, not the span objects it was given (issue 14 item 4).
 *
 * A `SpanRecord` held as it arrives costs its object (11 slots), two boxed doubles, its own id
 * strings and, for the benchmark's converter, a separate property array: ~250 bytes before its
 * attributes. Here a span is a slot in fixed-size chunks shared by the whole store: one array of
 * `STRIDE` slots per span for its strings, attributes and small integers, and one array of
 * unboxed doubles for its times. Lower-case hex ids (what every W3C producer makes) are packed
 * into two 32-bit integers each; anything else is kept as given. A slot freed by eviction is
 * reused (a free list chained through `NEXT`), so the chunks stay at the peak number of spans held.
 * A trace's spans are chained through `NEXT` too: a trace needs no array of its own.
 *
 * The old-space marker then walks a few large arrays (small integers and pointers to shared
 * strings) instead of ~8 objects per span. `record` builds a span back (equal to the one given,
 * not the same object) for `getTrace` and `onEvict`.
 */
import type { Attributes, SpanEvent, SpanKind, SpanLink, SpanRecord, SpanStatus } from '@debugpanel/model';
import { stringBytes } from './estimate.js';

// Slots per span in a chunk of references (what the collector must see)
const NAME = 0;
const SERVICE = 1;
const ATTRS = 2;
/** Its `resource`, or a `Rest` holding it and what is rare (ids not in hex, a status message, events, links), or undefined */
const MORE = 3;
export const STRIDE = 4;
// Slots per span in a chunk of int32s
const ID_HI = 0;
const ID_LO = 1;
const PARENT_HI = 2;
const PARENT_LO = 3;
const META = 4;
/** Next span of the trace (or of the free list), -1 at the end */
const NEXT = 5;
/** The span's byte estimate */
const BYTES = 6;
const INTS = 7;

const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** Heap of one stored span's slots: STRIDE references, INTS int32s and two doubles */
export const SLOT_BYTES = STRIDE * 8 + INTS * 4 + 16;
/** A `Rest` object (header + 7 fields) */
export const REST_BYTES = 80;

// META flags
const KIND_MASK = 7;
const CODE_SHIFT = 3; // 2 bits: unset, ok, error
const CODE_MASK = 3 << CODE_SHIFT;
/** isErrorSpan held when it was stored */
export const ERROR = 1 << 5;
const HAS_PARENT = 1 << 6;
/** spanId is kept as a string in Rest */
const ID_STRING = 1 << 7;
/** parentSpanId is kept as a string in Rest */
const PARENT_STRING = 1 << 8;

const KINDS: readonly SpanKind[] = ['internal', 'server', 'client', 'producer', 'consumer'];
const CODES = ['unset', 'ok', 'error'] as const;
const STATUS_OBJECTS: readonly SpanStatus[] = CODES.map((code) => Object.freeze({ code }) as SpanStatus);
export const NO_EVENTS = Object.freeze([]) as unknown as SpanEvent[];

/** What few spans have, in one object of their own (with the span's resource, which then has no slot of its own) */
class Rest {
  spanId: string | undefined = undefined;
  parentSpanId: string | undefined = undefined;
  /** A status with a message or an unknown code, as given */
  status: SpanStatus | undefined = undefined;
  events: SpanEvent[] | undefined = undefined;
  links: SpanLink[] | undefined = undefined;
  /** A kind outside the five */
  kind: string | undefined = undefined;
  resource: Attributes | undefined = undefined;
}

/** Nibble of each UTF-16 code unit: 0-15 for 0-9 and a-f, -1 otherwise (64 KiB, so no range check) */
const NIBBLE = new Int8Array(65536).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = 10 + i;

/**
 * 8 hex characters of `s` from `at` (within its length) as an int32, or undefined when one is not
 * lower-case hex. Unrolled: measured 16-26 ns per 16-character id against 34-51 for the loop.
 */
function word(s: string, at: number): number | undefined {
  const a = NIBBLE[s.charCodeAt(at)]!;
  const b = NIBBLE[s.charCodeAt(at + 1)]!;
  const c = NIBBLE[s.charCodeAt(at + 2)]!;
  const d = NIBBLE[s.charCodeAt(at + 3)]!;
  const e = NIBBLE[s.charCodeAt(at + 4)]!;
  const f = NIBBLE[s.charCodeAt(at + 5)]!;
  const g = NIBBLE[s.charCodeAt(at + 6)]!;
  const h = NIBBLE[s.charCodeAt(at + 7)]!;
  if ((a | b | c | d | e | f | g | h) < 0) return undefined;
  return (a << 28) | (b << 24) | (c << 20) | (d << 16) | (e << 12) | (f << 8) | (g << 4) | h;
}

/** Writes the 16 lower-case hex characters of `id` as two int32s at `ints[at]`; false (nothing written) when it is not such an id. */
function pack(id: string, ints: Int32Array, at: number): boolean {
  return id.length === 16 && pack16(id, 0, ints, at);
}

/** Writes the 32 lower-case hex characters of trace id `id` as four int32s at `out[at]`; false when it is not such an id (then `out` is unspecified). */
export function packTraceId(id: string, out: Int32Array, at: number): boolean {
  return id.length === 32 && pack16(id, 0, out, at) && pack16(id, 16, out, at + 2);
}

function pack16(id: string, from: number, ints: Int32Array, at: number): boolean {
  const hi = word(id, from);
  const lo = hi === undefined ? undefined : word(id, from + 8);
  if (lo === undefined) return false;
  ints[at] = hi!;
  ints[at + 1] = lo;
  return true;
}

/** Two hex characters of each byte value */
const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 8 lower-case hex characters of an int32: measured ~70-110 ns, against 3-4 µs for toString(16).padStart. */
export function hex8(w: number): string {
  return BYTE_HEX[w >>> 24]! + BYTE_HEX[(w >>> 16) & 255]! + BYTE_HEX[(w >>> 8) & 255]! + BYTE_HEX[w & 255]!;
}

export class SpanSlab {
  readonly #refs: unknown[][] = [];
  readonly #ints: Int32Array[] = [];
  readonly #times: Float64Array[] = [];
  /** Slots handed out at least once */
  #top = 0;
  /** Head of the free list */
  #free = -1;

  /** Slots allocated (chunks × chunk size) */
  get capacity(): number {
    return this.#refs.length * CHUNK;
  }

  alloc(): number {
    const f = this.#free;
    if (f >= 0) {
      this.#free = this.next(f);
      return f;
    }
    const slot = this.#top++;
    if ((slot & MASK) === 0 && slot >> CHUNK_BITS === this.#refs.length) {
      this.#refs.push(new Array<unknown>(CHUNK * STRIDE).fill(undefined));
      this.#ints.push(new Int32Array(CHUNK * INTS));
      this.#times.push(new Float64Array(CHUNK * 2));
    }
    return slot;
  }

  /** Frees a slot: drops what it references so the collector can take it. */
  free(slot: number): void {
    const c = this.#refs[slot >> CHUNK_BITS]!;
    const o = (slot & MASK) * STRIDE;
    c[o + NAME] = undefined;
    c[o + SERVICE] = undefined;
    c[o + ATTRS] = undefined;
    c[o + MORE] = undefined;
    this.#ints[slot >> CHUNK_BITS]![(slot & MASK) * INTS + NEXT] = this.#free;
    this.#free = slot;
  }

  /** Drops every chunk. */
  clear(): void {
    this.#refs.length = 0;
    this.#ints.length = 0;
    this.#times.length = 0;
    this.#top = 0;
    this.#free = -1;
  }

  /**
   * Copies `span` into `slot` (its name already interned by the caller) and returns the bytes the
   * slot holds beyond `SLOT_BYTES` on its own: a `Rest` and the id strings in it. `error` is
   * `isErrorSpan(span)`.
   */
  write(slot: number, span: SpanRecord, name: string, error: boolean): number {
    const chunk = slot >> CHUNK_BITS;
    const ints = this.#ints[chunk]!;
    const io = (slot & MASK) * INTS;
    let flags = error ? ERROR : 0;
    let extra = 0;
    let rest: Rest | undefined;
    const k = span.kind;
    // Compared one by one: a keyed load by a string is a megamorphic look-up (measured ~3x slower).
    const kind = k === 'internal' ? 0 : k === 'server' ? 1 : k === 'client' ? 2 : k === 'producer' ? 3 : k === 'consumer' ? 4 : -1;
    if (kind >= 0) flags |= kind;
    else (rest ??= new Rest()).kind = k;
    const status = span.status;
    const code = status.code === 'unset' ? 0 : status.code === 'ok' ? 1 : status.code === 'error' ? 2 : -1;
    if (code >= 0 && status.message === undefined) flags |= code << CODE_SHIFT;
    else (rest ??= new Rest()).status = status;
    const id = span.spanId;
    if (!pack(id, ints, io + ID_HI)) {
      flags |= ID_STRING;
      (rest ??= new Rest()).spanId = id;
      extra += stringBytes(id);
    }
    const parent = span.parentSpanId;
    if (parent !== undefined) {
      flags |= HAS_PARENT;
      if (!pack(parent, ints, io + PARENT_HI)) {
        flags |= PARENT_STRING;
        (rest ??= new Rest()).parentSpanId = parent;
        extra += stringBytes(parent);
      }
    }
    const events = span.events;
    if (events !== undefined && events.length > 0) (rest ??= new Rest()).events = events;
    const links = span.links;
    if (links !== undefined) (rest ??= new Rest()).links = links;
    if (rest !== undefined) {
      extra += REST_BYTES;
      rest.resource = span.resource;
    }
    ints[io + META] = flags;
    ints[io + NEXT] = -1;
    const c = this.#refs[chunk]!;
    const o = (slot & MASK) * STRIDE;
    c[o + NAME] = name;
    c[o + SERVICE] = span.service;
    c[o + ATTRS] = span.attributes;
    c[o + MORE] = rest ?? span.resource;
    const t = this.#times[chunk]!;
    const to = (slot & MASK) * 2;
    t[to] = span.startTime;
    t[to + 1] = span.duration;
    return extra;
  }

  /** Records the slot's whole byte estimate (read back by `bytes`). */
  setBytes(slot: number, bytes: number): void {
    this.#ints[slot >> CHUNK_BITS]![(slot & MASK) * INTS + BYTES] = Math.min(bytes, 0x7fffffff);
  }

  bytes(slot: number): number {
    return this.#ints[slot >> CHUNK_BITS]![(slot & MASK) * INTS + BYTES]!;
  }

  #meta(slot: number): number {
    return this.#ints[slot >> CHUNK_BITS]![(slot & MASK) * INTS + META]!;
  }

  isError(slot: number): boolean {
    return (this.#meta(slot) & ERROR) !== 0;
  }

  hasParent(slot: number): boolean {
    return (this.#meta(slot) & HAS_PARENT) !== 0;
  }

  next(slot: number): number {
    return this.#ints[slot >> CHUNK_BITS]![(slot & MASK) * INTS + NEXT]!;
  }

  setNext(slot: number, next: number): void {
    this.#ints[slot >> CHUNK_BITS]![(slot & MASK) * INTS + NEXT] = next;
  }

  name(slot: number): string {
    return this.#refs[slot >> CHUNK_BITS]![(slot & MASK) * STRIDE + NAME] as string;
  }

  service(slot: number): string {
    return this.#refs[slot >> CHUNK_BITS]![(slot & MASK) * STRIDE + SERVICE] as string;
  }

  kind(slot: number): SpanKind {
    const k = this.#rest(slot)?.kind;
    return k !== undefined ? (k as SpanKind) : KINDS[this.#meta(slot) & KIND_MASK]!;
  }

  attributes(slot: number): Attributes {
    return this.#refs[slot >> CHUNK_BITS]![(slot & MASK) * STRIDE + ATTRS] as Attributes;
  }

  start(slot: number): number {
    return this.#times[slot >> CHUNK_BITS]![(slot & MASK) * 2]!;
  }

  duration(slot: number): number {
    return this.#times[slot >> CHUNK_BITS]![(slot & MASK) * 2 + 1]!;
  }

  #more(slot: number): unknown {
    return this.#refs[slot >> CHUNK_BITS]![(slot & MASK) * STRIDE + MORE];
  }

  #rest(slot: number): Rest | undefined {
    const m = this.#more(slot);
    return m instanceof Rest ? m : undefined;
  }

  spanId(slot: number): string {
    const ints = this.#ints[slot >> CHUNK_BITS]!;
    const io = (slot & MASK) * INTS;
    if ((ints[io + META]! & ID_STRING) !== 0) return this.#rest(slot)!.spanId!;
    return hex8(ints[io + ID_HI]!) + hex8(ints[io + ID_LO]!);
  }

  parentSpanId(slot: number): string | undefined {
    const ints = this.#ints[slot >> CHUNK_BITS]!;
    const io = (slot & MASK) * INTS;
    const m = ints[io + META]!;
    if ((m & HAS_PARENT) === 0) return undefined;
    if ((m & PARENT_STRING) !== 0) return this.#rest(slot)!.parentSpanId!;
    return hex8(ints[io + PARENT_HI]!) + hex8(ints[io + PARENT_LO]!);
  }

  /** Whether span `child`'s parent is span `parent` (their ids compared as stored, no strings made when both are packed). */
  isParentOf(parent: number, child: number): boolean {
    const pi = this.#ints[parent >> CHUNK_BITS]!;
    const po = (parent & MASK) * INTS;
    const ci = this.#ints[child >> CHUNK_BITS]!;
    const co = (child & MASK) * INTS;
    const cm = ci[co + META]!;
    if ((cm & HAS_PARENT) === 0) return false;
    if ((pi[po + META]! & ID_STRING) === 0 && (cm & PARENT_STRING) === 0) {
      return pi[po + ID_HI] === ci[co + PARENT_HI] && pi[po + ID_LO] === ci[co + PARENT_LO];
    }
    return this.spanId(parent) === this.parentSpanId(child);
  }

  /** The span in `slot` as a SpanRecord: a new object, equal to the one stored (shared frozen status and empty events). */
  record(slot: number, traceId: string): SpanRecord {
    const m = this.#meta(slot);
    const more = this.#more(slot);
    const rest = more instanceof Rest ? more : undefined;
    const resource = rest === undefined ? (more as Attributes | undefined) : rest.resource;
    const spanId = this.spanId(slot);
    const parentSpanId = this.parentSpanId(slot);
    const name = this.name(slot);
    const kind = rest?.kind !== undefined ? (rest.kind as SpanKind) : KINDS[m & KIND_MASK]!;
    const service = this.service(slot);
    const startTime = this.start(slot);
    const duration = this.duration(slot);
    const status = rest?.status ?? STATUS_OBJECTS[(m & CODE_MASK) >> CODE_SHIFT]!;
    const attributes = this.attributes(slot);
    const events = rest?.events ?? NO_EVENTS;
    // One literal per shape, so every record gets its properties in-object (as toSpanRecord does).
    const r: SpanRecord =
      parentSpanId === undefined
        ? { traceId, spanId, name, kind, service, startTime, duration, status, attributes, events }
        : { traceId, spanId, parentSpanId, name, kind, service, startTime, duration, status, attributes, events };
    if (rest?.links !== undefined) r.links = rest.links;
    if (resource !== undefined) r.resource = resource;
    return r;
  }
}
