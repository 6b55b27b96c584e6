/**
 * What the store does to a span as it takes it, in one walk over its attributes: repeated strings
 * (span names, attribute values such as routes, methods, user agents, SQL text) are replaced by one
 * shared copy from a bounded intern table, the span is copied into the store's columns (slab.ts)
 * and its byte estimate is made on the way.
 *
 * Interning, measured on the benchmark's traces (bench `memory` group, 20,000 spans in traces of
 * 10) when the store still held span objects: 535 B of heap per stored span before, 424 B after
 * (shared status and events -64 B, interning -47 B); the columns took it to ~200 B (slab.ts).
 * The strings are equal, so nothing a reader sees changes.
 */
import type { SpanRecord } from '@debugpanel/model';
import { attributesObjectBytes, eventsBytes, linksBytes, statusBytes, stringBytes, valueBytes } from './estimate.js';
import { SLOT_BYTES, SpanSlab } from './slab.js';

/** Strings longer than this are rarely repeated and costly to hash: kept as they are */
const MAX_INTERNED_LENGTH = 64;
/** Entries in all tables before they start afresh (strings already shared stay shared) */
const MAX_INTERNED = 16_384;
/** Values one key (or span names) may add to its table; past that only look-ups */
const MAX_PER_KEY = 1024;
/** Attribute keys with a table of their own; values of further keys are kept as they are */
const MAX_KEYS = 1024;
/** Look-ups per key between verdicts on its hit rate */
const WINDOW = 256;
/** A key whose values hit less than this often in a window is one of unique values (ids, paths, addresses) */
const MIN_HITS = WINDOW / 8;
/** Values such a key skips before it is tried again (doubling with each low verdict, up to 64x) */
const SKIP = 1024;

/** The shared strings of one attribute key (or of span names), and how often they are found. */
class KeyTable {
  readonly table = new Map<string, string>();
  /** The value found last: compared before the table is probed (most keys repeat one value) */
  last = '';
  tries = 0;
  hits = 0;
  /** Values to keep as they are before looking up again */
  skip = 0;
  /** Low verdicts in a row */
  low = 0;
}

/**
 * A bounded table of canonical strings, one per attribute key (and one for span names), so a
 * look-up probes a small table and a key whose values do not repeat (ids, paths, addresses) stops
 * being looked up: measured, such values were most of the look-ups and every insertion (and the
 * table's rebuilding) on the benchmark's spans.
 */
export class Interner {
  readonly #keys = new Map<string, KeyTable>();
  readonly #names = new KeyTable();
  #size = 0;
  /** Times the tables were full and started afresh */
  resets = 0;
  /** Whether the last `intern` found the string already there (equal strings cannot be told apart otherwise) */
  hit = false;

  /** The shared copy of span name `s` (`s` itself the first time); `hit` tells which. */
  intern(s: string): string {
    return this.#lookup(this.#names, s);
  }

  /** The shared copy of `s`, a value of attribute `key`; `hit` tells whether it was there. */
  internValue(key: string, s: string): string {
    let t = this.#keys.get(key);
    if (t === undefined) {
      if (this.#keys.size >= MAX_KEYS) {
        this.hit = false;
        return s;
      }
      this.#keys.set(key, (t = new KeyTable()));
    }
    return this.#lookup(t, s);
  }

  #lookup(t: KeyTable, s: string): string {
    this.hit = false;
    if (t.skip > 0) {
      t.skip--;
      return s;
    }
    if (s.length > MAX_INTERNED_LENGTH) return s;
    if (++t.tries === WINDOW) this.#verdict(t);
    // An equal string compares its characters, no hash: cheaper than a probe when it repeats.
    const last = t.last;
    if (s === last) {
      t.hits++;
      this.hit = true;
      return last;
    }
    const table = t.table;
    const shared = table.get(s);
    if (shared !== undefined) {
      t.hits++;
      this.hit = true;
      t.last = shared;
      return shared;
    }
    if (table.size >= MAX_PER_KEY) return s;
    if (this.#size >= MAX_INTERNED) {
      this.#names.table.clear();
      this.#names.last = '';
      for (const k of this.#keys.values()) {
        k.table.clear();
        k.last = '';
      }
      this.#size = 0;
      this.resets++;
    }
    table.set(s, s);
    this.#size++;
    t.last = s;
    return s;
  }

  #verdict(t: KeyTable): void {
    if (t.hits < MIN_HITS) {
      t.skip = SKIP << Math.min(t.low, 6);
      t.low++;
    } else t.low = 0;
    t.tries = 0;
    t.hits = 0;
  }

  /** Strings held */
  get size(): number {
    return this.#size;
  }
}

/**
 * Interns `span`'s name and attribute values, copies it into `slot` of `slab` (see slab.ts) and
 * returns the slot's byte estimate: its slots, its attributes object with the values it holds of
 * its own, and the rare parts (ids that are not hex, a status message, events, links). A string it
 * now shares with an earlier span counts nothing (its characters are held once, charged to the
 * first span that brought them); `service` and attribute keys count as shared. The estimate is
 * also kept in the slot (`slab.bytes`).
 */
export function storeSpan(slab: SpanSlab, slot: number, span: SpanRecord, interner: Interner | undefined, error: boolean): number {
  const name = interner === undefined ? span.name : interner.intern(span.name);
  let n = SLOT_BYTES + (interner?.hit === true ? 0 : stringBytes(name));
  // The one walk over the attributes: shares strings and sums what the values hold of their own.
  const attrs = span.attributes;
  if (attrs !== undefined && attrs !== null) {
    /** Cleared when the object refuses a write (a producer may hand over a frozen one) */
    let writable = true;
    let own = 0;
    let count = 0;
    for (const k in attrs) {
      count++;
      const v = attrs[k];
      if (typeof v !== 'string') {
        own += valueBytes(v);
        continue;
      }
      if (interner === undefined) {
        own += stringBytes(v);
        continue;
      }
      const i = interner.internValue(k, v);
      // An equal string held already: share it (it may be this very one: equal strings cannot be
      // told apart), unless the object is frozen (then the write throws: cheaper than asking
      // Object.isFrozen, a call, for every span).
      if (interner.hit && writable) {
        try {
          attrs[k] = i;
          continue;
        } catch {
          writable = false;
        }
      }
      own += stringBytes(v);
    }
    n += attributesObjectBytes(count, own);
  }
  n += slab.write(slot, span, name, error);
  const status = span.status;
  if (status.message !== undefined) n += statusBytes(status);
  const events = span.events;
  if (events !== undefined && events.length > 0) n += eventsBytes(events);
  if (span.links !== undefined) n += linksBytes(span.links);
  slab.setBytes(slot, n);
  return n;
}

const scratch = new SpanSlab();

/**
 * What the store charges for `span` when none of its strings is shared with a span stored before
 * (interning only lowers it): its slot, name, attributes and rare parts. Its trace adds
 * `TRACE_BYTES` and its id string once.
 *
 * @example
 * storedSpanBytes(span); // ~430 for a server span with 8 attributes of its own strings
 */
export function storedSpanBytes(span: SpanRecord): number {
  const slot = scratch.alloc();
  try {
    return storeSpan(scratch, slot, span, undefined, false);
  } finally {
    scratch.free(slot);
  }
}
