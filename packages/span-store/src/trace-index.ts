/**
 * The store's traces by id, holding no id string: a W3C trace id (32 lower-case hex characters)
 * is kept as four int32s in its entry and found through a Map keyed by its last 32 bits (a small
 * integer, no string hashed or held). An id that is not such a string, or whose last 32 bits are
 * taken by another stored trace (about 1 in 40,000 at 100,000 traces), is kept as given in a
 * second, string-keyed Map. The last trace found is remembered: spans of a trace tend to arrive
 * together.
 *
 * Measured on the benchmark's one-span traces, whose ids are built by concatenation (as many
 * producers do), the id string held ~190 bytes; a flat one 48.
 */
import { stringBytes } from './estimate.js';
import { packTraceId } from './slab.js';
import { TRACE_BYTES, type TraceEntry } from './trace-entry.js';

/**
 * Entries by an int32 key, open addressing with linear probing: the keys in an Int32Array (off
 * the JS heap), the entries in one array of twice to four times as many slots. A Map of 100,000
 * entries held 7.0 MiB of JS heap (after a 60 s /hello flood, bench/results/flood-memory.md);
 * this holds 2 MiB of references and 1 MiB of keys. Deleting shifts the entries after the freed
 * slot back (no tombstones), so probes stay short however many traces come and go.
 */
export class WordTable<T extends object> {
  #keys = new Int32Array(MIN_SLOTS);
  #vals: (T | undefined)[] = new Array<T | undefined>(MIN_SLOTS).fill(undefined);
  #shift = 32 - Math.log2(MIN_SLOTS);
  #mask = MIN_SLOTS - 1;
  size = 0;

  /** Home slot of `key`: Fibonacci hashing, so sequential ids spread too */
  #home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.#shift;
  }

  #find(key: number): number {
    const keys = this.#keys;
    const vals = this.#vals;
    const mask = this.#mask;
    let i = this.#home(key);
    while (vals[i] !== undefined && keys[i] !== key) i = (i + 1) & mask;
    return i;
  }

  get(key: number): T | undefined {
    return this.#vals[this.#find(key)];
  }

  has(key: number): boolean {
    return this.#vals[this.#find(key)] !== undefined;
  }

  set(key: number, value: T): void {
    const i = this.#find(key);
    if (this.#vals[i] === undefined) {
      this.#keys[i] = key;
      this.size++;
    }
    this.#vals[i] = value;
    if (this.size * 2 > this.#vals.length) this.#resize(this.#vals.length * 2);
  }

  delete(key: number): boolean {
    let i = this.#find(key);
    const keys = this.#keys;
    const vals = this.#vals;
    if (vals[i] === undefined) return false;
    vals[i] = undefined;
    this.size--;
    const mask = this.#mask;
    // Moves back each following entry of the run whose home is not within (i, j] (cyclically).
    for (let j = (i + 1) & mask; vals[j] !== undefined; j = (j + 1) & mask) {
      const h = this.#home(keys[j]!);
      const stays = i <= j ? i < h && h <= j : i < h || h <= j;
      if (stays) continue;
      keys[i] = keys[j]!;
      vals[i] = vals[j];
      vals[j] = undefined;
      i = j;
    }
    return true;
  }

  clear(): void {
    this.#keys = new Int32Array(MIN_SLOTS);
    this.#vals = new Array<T | undefined>(MIN_SLOTS).fill(undefined);
    this.#shift = 32 - Math.log2(MIN_SLOTS);
    this.#mask = MIN_SLOTS - 1;
    this.size = 0;
  }

  #resize(slots: number): void {
    const keys = this.#keys;
    const vals = this.#vals;
    this.#keys = new Int32Array(slots);
    this.#vals = new Array<T | undefined>(slots).fill(undefined);
    this.#shift = 32 - Math.log2(slots);
    this.#mask = slots - 1;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      if (v === undefined) continue;
      const j = this.#find(keys[i]!);
      this.#keys[j] = keys[i]!;
      this.#vals[j] = v;
    }
  }
}

const MIN_SLOTS = 1024;

export class TraceIndex {
  readonly #byWord = new WordTable<TraceEntry>();
  /** Ids that are not packed (not hex, or their last word taken) */
  readonly #byString = new Map<string, TraceEntry>();
  #lastId = '';
  #last: TraceEntry | undefined = undefined;
  /** The id of the last look-up that found nothing, its words (when `#missPacked`) and whether its key is free: what adding it needs */
  #missId = '';
  #missPacked = false;
  #missKeyFree = false;
  readonly #words = new Int32Array(4);

  get size(): number {
    return this.#byWord.size + this.#byString.size;
  }

  get(traceId: string): TraceEntry | undefined {
    const last = this.#last;
    if (last !== undefined && traceId === this.#lastId && !last.dead) return last;
    let e: TraceEntry | undefined;
    const words = this.#words;
    const packed = packTraceId(traceId, words, 0);
    let keyFree = false;
    if (packed) {
      e = this.#byWord.get(words[3]!);
      keyFree = e === undefined;
      if (e !== undefined && !e.isTrace(words)) e = undefined;
    }
    if (e === undefined && this.#byString.size !== 0) e = this.#byString.get(traceId);
    if (e !== undefined) {
      this.#lastId = traceId;
      this.#last = e;
    } else {
      this.#missId = traceId;
      this.#missPacked = packed;
      this.#missKeyFree = keyFree;
    }
    return e;
  }

  has(traceId: string): boolean {
    return this.get(traceId) !== undefined;
  }

  /** The packed words of `traceId` (valid until the next call), or undefined when it is not a W3C id. */
  wordsOf(traceId: string): Int32Array | undefined {
    if (traceId !== this.#missId) {
      this.#missId = traceId;
      this.#missPacked = packTraceId(traceId, this.#words, 0);
      this.#missKeyFree = this.#missPacked && !this.#byWord.has(this.#words[3]!);
    }
    return this.#missPacked ? this.#words : undefined;
  }

  /** What a new trace of `traceId` costs: `TRACE_BYTES`, and its id string when that is kept. */
  newTraceBytes(traceId: string): number {
    return TRACE_BYTES + (this.wordsOf(traceId) === undefined ? stringBytes(traceId) : 0);
  }

  /** Adds a new trace's entry (its id not stored yet). */
  add(e: TraceEntry, traceId: string): void {
    const key = e.idWord;
    const free = key !== undefined && (traceId === this.#missId ? this.#missKeyFree : !this.#byWord.has(key));
    if (free) this.#byWord.set(key, e);
    else {
      this.#byString.set(traceId, e);
      e.byString = true;
    }
    this.#missId = '';
    this.#lastId = traceId;
    this.#last = e;
  }

  /** Removes an entry (before it is released). */
  delete(e: TraceEntry): void {
    if (e.byString) this.#byString.delete(e.traceId);
    else this.#byWord.delete(e.idWord!);
    if (this.#last === e) this.#last = undefined;
    // The key of the id last missed may be free now.
    if (this.#missPacked && !e.byString && e.idWord === this.#words[3]) this.#missKeyFree = true;
  }

  clear(): void {
    this.#byWord.clear();
    this.#byString.clear();
    this.#last = undefined;
    this.#lastId = '';
    this.#missId = '';
  }
}
