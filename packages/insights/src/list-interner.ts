/**
 * Shares equal string lists between trace digests: a flood of one route makes thousands of digests
 * whose scope and attribute lists are the same strings in the same order (175 B of a 560 B digest
 * after a /hello flood). Bounded like model's `Interner`: past `max` lists it starts afresh and
 * counts it (`resets`). Shared lists are frozen: a digest's lists are read, never changed.
 */
export class ListInterner {
  readonly #table = new Map<string, string[]>();
  readonly max: number;
  /** Times the table was full and started afresh */
  resets = 0;

  constructor(max = 4096) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`ListInterner: max must be a positive integer, got ${String(max)}`);
    this.max = max;
  }

  /** The shared copy of `list` (itself, frozen, the first time; an empty list is always the same one). */
  intern(list: string[]): string[] {
    if (list.length === 0) return EMPTY;
    // Length-prefixed parts: no two different lists make the same key, whatever their strings hold.
    let key = '';
    for (const s of list) key += `${s.length}:${s}`;
    const shared = this.#table.get(key);
    if (shared !== undefined) return shared;
    if (this.#table.size >= this.max) {
      this.#table.clear();
      this.resets++;
    }
    Object.freeze(list);
    this.#table.set(key, list);
    return list;
  }

  /** Distinct lists held now */
  get size(): number {
    return this.#table.size;
  }
}

const EMPTY = Object.freeze([]) as unknown as string[];
