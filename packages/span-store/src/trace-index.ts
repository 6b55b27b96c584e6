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

export class TraceIndex {
  readonly #byWord = new Map<number, TraceEntry>();
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
