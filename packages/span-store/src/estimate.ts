import type { Attributes, SpanEvent, SpanLink, SpanRecord } from '@debugpanel/model';

/*
 * Byte costs of V8 heap objects on 64-bit Node without pointer compression (the default build),
 * calibrated against `process.memoryUsage().heapUsed` deltas (node --expose-gc). The estimate counts
 * what a stored span keeps alive on its own. Attribute keys and `service` are counted as shared:
 * they are property names / configuration strings that V8 interns once per process. Every other
 * string (ids, name, attribute values) is counted as the span's own, so the estimate errs high
 * when a producer shares them (a trace id string reused by every span of a trace, constant
 * attribute values): a budget then holds somewhat less than it could, never more.
 */
const WORD = 8;
/** Span object with its fields and two boxed doubles (startTime, duration) */
const SPAN_BASE = 168;
/** A `status` object of the span's own */
const STATUS_BASE = 32;
/** An `attributes` object with no properties (room for 4 in-object properties) */
const ATTRS_BASE = 56;
/** Per property of a fast-mode object (slot in the property array) */
const FAST_PROPERTY = 8;
/** Per property once V8 turns an object with many added keys into a hash table */
const DICTIONARY_PROPERTY = 43;
const DICTIONARY_AFTER = 16;
/** An `events` array */
const ARRAY_BASE = 32;
const EVENT_BASE = 64;
const LINK_BASE = 56;
const HEAP_NUMBER = 16;

/** A flat one-byte string: a 16-byte header, then the characters, rounded up to a word. */
export function stringBytes(s: string): number {
  return 16 + ((s.length + 7) & ~7);
}

export function valueBytes(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return stringBytes(v);
    case 'number':
      // Small integers live in the slot itself; every other number is a boxed double.
      return (v | 0) === v ? 0 : HEAP_NUMBER;
    case 'object': {
      if (v === null || !Array.isArray(v)) return 0;
      let n = ARRAY_BASE + 16 + v.length * WORD;
      for (let i = 0; i < v.length; i++) n += valueBytes(v[i]);
      return n;
    }
    default:
      return 0; // booleans, undefined: shared oddballs
  }
}

function attributesBytes(attrs: Attributes | undefined): number {
  if (attrs === undefined || attrs === null) return 0;
  let n = 0;
  let count = 0;
  for (const key in attrs) {
    n += valueBytes(attrs[key]);
    count++;
  }
  return attributesObjectBytes(count, n);
}

/** An attributes object of `count` properties whose values hold `valueBytes` of their own. */
export function attributesObjectBytes(count: number, valueBytes: number): number {
  return ATTRS_BASE + valueBytes + count * (count > DICTIONARY_AFTER ? DICTIONARY_PROPERTY : FAST_PROPERTY);
}

let lastSharedStatus: object | undefined;
let lastSharedEvents: object | undefined;

function isSharedEmpty(events: object): boolean {
  if (events === lastSharedEvents) return true;
  if (!Object.isFrozen(events)) return false;
  lastSharedEvents = events;
  return true;
}

/**
 * An estimate, in bytes, of the heap a span keeps alive: the record, its ids, name, status,
 * attributes (keys counted as shared), events and links. A frozen `status` and a frozen empty
 * `events` array count as shared (toSpanRecord shares one of each for all spans). `resource` is not counted: it is one
 * object shared by every span of a process.
 *
 * @example
 * const bytes = estimateSpanBytes(span); // ~450 for a server span with 8 attributes
 * // `ownAttributeBytes`: the attributes' part when the caller walked them already (compact.ts)
 */
export function estimateSpanBytes(span: SpanRecord, ownAttributeBytes: number = attributesBytes(span.attributes)): number {
  let n = SPAN_BASE + stringBytes(span.traceId) + stringBytes(span.spanId) + stringBytes(span.name);
  if (span.parentSpanId !== undefined) n += stringBytes(span.parentSpanId);
  const status = span.status;
  // Frozen status objects and empty events arrays are shared by many spans (toSpanRecord does
  // this): one per process, not the span's own. `Object.isFrozen` is a call (~20 ns, not inlined),
  // so the last shared object seen is remembered and recognised by identity first.
  if (status !== lastSharedStatus) {
    if (status.message === undefined && Object.isFrozen(status)) lastSharedStatus = status;
    else n += STATUS_BASE;
  }
  const message = status.message;
  if (message !== undefined) n += stringBytes(message);
  n += ownAttributeBytes;
  const events = span.events;
  if (events !== undefined && !(events.length === 0 && isSharedEmpty(events))) n += eventsBytes(events);
  if (span.links !== undefined) n += linksBytes(span.links);
  return n;
}

/** An events array with its events. */
export function eventsBytes(events: ReadonlyArray<SpanEvent>): number {
  let n = ARRAY_BASE;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    n += EVENT_BASE + WORD + stringBytes(e.name) + attributesBytes(e.attributes);
  }
  return n;
}

/** A links array with its links. */
export function linksBytes(links: ReadonlyArray<SpanLink>): number {
  let n = ARRAY_BASE;
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    n += LINK_BASE + WORD + stringBytes(l.traceId) + stringBytes(l.spanId) + attributesBytes(l.attributes);
  }
  return n;
}

/** A `status` object of the span's own with its message. */
export function statusBytes(status: { message?: string }): number {
  return STATUS_BASE + (status.message === undefined ? 0 : stringBytes(status.message));
}
