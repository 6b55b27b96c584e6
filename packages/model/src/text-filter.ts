/**
 * Bloom filters of character bigrams, one per item (a trace in the span store, a record in the log
 * store), so `text`, `attributes` and `name` queries look at only the items that may match instead
 * of every one. (In the model since the log store uses them too; written for the span store, whose
 * traces the notes below describe.)
 *
 * Each trace gets a 512-bit filter (a slot of 16 words in one shared Int32Array: a typed array
 * per trace would cost ~150 bytes of headers). Every string a query can match (trace id, span
 * names, attribute values as strings) sets the bits of its bigrams, including the bigrams with a
 * separator before its first and after its last character. The separator says what the string is
 * (a trace id, a span name, or the value of which attribute key: one of 255 codes by a hash of
 * the key), so `user.id=u42` needs the bigram "user.id-separator, u", which values of other keys
 * rarely set (measured on the benchmark's traces: 8x fewer candidates than one shared separator). A substring's bigrams are a subset of
 * its haystack's, so a trace whose filter lacks any bit of the needle cannot match; a trace whose
 * filter has them all is only a candidate and is checked exactly. An exact value (`attributes`,
 * `name`) adds its boundary bigrams, which makes one- and two-character values selective too.
 *
 * Case folding matches a case-insensitive RegExp without the `u` flag: ASCII letters fold to lower
 * case, and such a RegExp never matches a non-ASCII character against an ASCII one, so every
 * non-ASCII code unit folds into one bucket (conservative: never a false negative).
 *
 * Measured on the benchmark's traces (10 spans, ~600 characters of text each): `text: 'sku-4242'`
 * (6 bits) lets 0.85% of the traces through, `attributes: { 'user.id': 'u42' }` (4 bits) 0.75%;
 * a needle of one common bigram (`'zz'`, 1 bit) lets most through.
 */
export const FILTER_WORDS = 16;
/** Heap per slot: 16 words in the shared Int32Array and a pointer in the owner's slot-to-item array */
export const FILTER_BYTES = FILTER_WORDS * 4 + 8;
/** Separator codes (outside the 0..128 range of folded characters) */
export const ID_SEP = 129;
export const NAME_SEP = 130;
const KEY_SEP_BASE = 131;
const KEY_SEPS = 255;

/** The separator around values of attribute `key`. */
export function keySep(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return KEY_SEP_BASE + ((h >>> 0) % KEY_SEPS);
}

function fold(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  return c < 128 ? c : 128;
}

/** Bit number (0..511) of a bigram of folded codes or separators */
function bigramBit(a: number, b: number): number {
  return Math.imul(a * 397 + b + 1, 0x9e3779b1) >>> 23;
}

/** Bits (as word index and mask pairs) a string must have set, or undefined when it has none. */
export interface Needle {
  readonly words: Int32Array;
  readonly masks: Int32Array;
}

/**
 * The bits a haystack must have for `s` to match: as a substring (`sep` -1: inner bigrams only,
 * so a 1-character needle has none and gets undefined), or as a whole value added with `sep`.
 */
export function makeNeedle(s: string, sep: number): Needle | undefined {
  const exact = sep >= 0;
  const bits = new Set<number>();
  let prev = sep;
  for (let i = 0; i < s.length; i++) {
    const c = fold(s.charCodeAt(i));
    if (prev >= 0) bits.add(bigramBit(prev, c));
    prev = c;
  }
  if (exact) bits.add(bigramBit(prev, sep));
  if (bits.size === 0) return undefined;
  // Bits of one word are merged into one mask: fewer checks per trace.
  const byWord = new Map<number, number>();
  for (const bit of bits) byWord.set(bit >>> 5, (byWord.get(bit >>> 5) ?? 0) | (1 << (bit & 31)));
  const words = new Int32Array(byWord.size);
  const masks = new Int32Array(byWord.size);
  let i = 0;
  for (const [w, m] of byWord) {
    words[i] = w;
    masks[i++] = m;
  }
  return { words, masks };
}

/** Slots of filters, allocated on demand, reused after `free`. */
export class BigramFilters {
  #words = new Int32Array(0);
  #next = 0;
  readonly #free: number[] = [];
  #live = 0;

  /** Slots in use */
  get live(): number {
    return this.#live;
  }

  /** Bytes of the shared array (allocated capacity) */
  get capacityBytes(): number {
    return this.#words.byteLength;
  }

  /** A cleared slot */
  alloc(): number {
    this.#live++;
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slot = this.#next++;
    if ((slot + 1) * FILTER_WORDS > this.#words.length) {
      const grown = new Int32Array(Math.max(256, slot * 2) * FILTER_WORDS);
      grown.set(this.#words);
      this.#words = grown;
    }
    return slot;
  }

  free(slot: number): void {
    this.#words.fill(0, slot * FILTER_WORDS, (slot + 1) * FILTER_WORDS);
    this.#free.push(slot);
    this.#live--;
  }

  clear(): void {
    this.#words = new Int32Array(0);
    this.#next = 0;
    this.#free.length = 0;
    this.#live = 0;
  }

  /** Sets the bits of `s` with its boundary bigrams (separator `sep`). */
  add(slot: number, s: string, sep: number): void {
    const words = this.#words;
    const base = slot * FILTER_WORDS;
    let prev = sep;
    for (let i = 0; i < s.length; i++) {
      const c = fold(s.charCodeAt(i));
      const bit = bigramBit(prev, c);
      words[base + (bit >>> 5)]! |= 1 << (bit & 31);
      prev = c;
    }
    const bit = bigramBit(prev, sep);
    words[base + (bit >>> 5)]! |= 1 << (bit & 31);
  }

  /** The items (`bySlot[slot]`) of every slot in use that has all the needle's bits, in slot order. */
  candidates<T>(needle: Needle, bySlot: ReadonlyArray<T | undefined>): T[] {
    const out: T[] = [];
    const words = this.#words;
    const w = needle.words;
    const m = needle.masks;
    const w0 = w[0]!;
    const m0 = m[0]!;
    const end = this.#next * FILTER_WORDS;
    // Free slots are zeroed, so they never pass (a needle has at least one bit).
    next: for (let base = 0; base < end; base += FILTER_WORDS) {
      if ((words[base + w0]! & m0) !== m0) continue;
      for (let i = 1; i < w.length; i++) {
        const mask = m[i]!;
        if ((words[base + w[i]!]! & mask) !== mask) continue next;
      }
      const item = bySlot[base / FILTER_WORDS];
      if (item !== undefined) out.push(item);
    }
    return out;
  }

  /** Whether the slot has every bit of the needle (the trace may match). */
  mayContain(slot: number, needle: Needle): boolean {
    const words = this.#words;
    const base = slot * FILTER_WORDS;
    const w = needle.words;
    const m = needle.masks;
    for (let i = 0; i < w.length; i++) {
      const mask = m[i]!;
      if ((words[base + w[i]!]! & mask) !== mask) return false;
    }
    return true;
  }
}
