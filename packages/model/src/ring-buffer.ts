/**
 * The bounded FIFO of every debugpanel package: `push` adds at the newest end and, when full,
 * evicts and returns the oldest item (counted in `dropped`); `shift` takes the oldest. Both are
 * O(1), as is indexing from either end, unlike `Array.prototype.shift` (O(n)) or a Map read
 * from its start after many deletes (V8 keeps a tombstone per deleted entry). It knows nothing of
 * what it holds.
 *
 * Storage grows by doubling up to `capacity`, so a large bound (say 100,000) costs memory only
 * once it is used.
 *
 * @example
 * const ring = new RingBuffer<number>(2);
 * ring.push(1); ring.push(2);
 * ring.push(3);          // returns 1, the evicted oldest item
 * [...ring];             // [2, 3] (oldest -> newest)
 * ring.at(-1);           // 3
 */
export class RingBuffer<T> implements Iterable<T> {
  readonly capacity: number;
  #buf: Array<T | undefined>;
  #head = 0; // index of the oldest item in #buf
  #size = 0;
  #dropped = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RingBuffer capacity must be a positive integer, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    this.#buf = new Array<T | undefined>(Math.min(capacity, 16));
  }

  /** Number of items held. */
  get size(): number {
    return this.#size;
  }

  /** True when `size === capacity` (the next push evicts). */
  get full(): boolean {
    return this.#size === this.capacity;
  }

  /** Items `push` evicted because the ring was full, since creation (`shift` and `clear` do not count). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Appends `item` as the newest; returns the evicted oldest item when the ring was full. */
  push(item: T): T | undefined {
    const buf = this.#buf;
    if (this.#size < buf.length) {
      buf[(this.#head + this.#size) % buf.length] = item;
      this.#size++;
      return undefined;
    }
    if (buf.length < this.capacity) {
      this.#grow();
      this.#buf[this.#size++] = item;
      return undefined;
    }
    // Full: overwrite the oldest slot and move head past it.
    const evicted = buf[this.#head] as T;
    buf[this.#head] = item;
    this.#head = (this.#head + 1) % buf.length;
    this.#dropped++;
    return evicted;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const buf = this.#buf;
    const item = buf[this.#head];
    buf[this.#head] = undefined; // let it be collected
    this.#head = (this.#head + 1) % buf.length;
    this.#size--;
    return item;
  }

  /** The oldest item without removing it. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#buf[this.#head];
  }

  /** The newest item without removing it. */
  peekLast(): T | undefined {
    return this.#size === 0 ? undefined : this.#buf[(this.#head + this.#size - 1) % this.#buf.length];
  }

  /**
   * Item `i` counted from the oldest (0) or, when negative, from the newest (-1);
   * undefined when out of range.
   */
  at(i: number): T | undefined {
    if (i < 0) i += this.#size;
    if (!(i >= 0 && i < this.#size)) return undefined;
    return this.#buf[(this.#head + Math.floor(i)) % this.#buf.length];
  }

  /**
   * Removes, in one O(size) pass, every item for which `keep` returns false; the others keep
   * their order. Returns how many were removed. For queues whose entries go stale in the middle
   * (decided elsewhere): compact when full instead of evicting a live item.
   */
  retain(keep: (item: T) => boolean): number {
    const buf = this.#buf;
    const len = buf.length;
    const size = this.#size;
    let kept = 0;
    let i = 0;
    try {
      for (; i < size; i++) {
        const item = buf[(this.#head + i) % len] as T;
        if (keep(item)) buf[(this.#head + kept++) % len] = item;
      }
    } finally {
      // If `keep` threw, the items from the one it threw on are kept as they are.
      for (; i < size; i++) buf[(this.#head + kept++) % len] = buf[(this.#head + i) % len];
      for (let j = kept; j < size; j++) buf[(this.#head + j) % len] = undefined; // let them be collected
      this.#size = kept;
    }
    return size - kept;
  }

  /** Removes every item (capacity unchanged; storage shrinks back). */
  clear(): void {
    this.#buf = new Array<T | undefined>(Math.min(this.capacity, 16));
    this.#head = 0;
    this.#size = 0;
  }

  /** Oldest -> newest. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#size; i++) yield this.#buf[(this.#head + i) % this.#buf.length] as T;
  }

  /** Newest -> oldest. */
  *reversed(): IterableIterator<T> {
    for (let i = this.#size - 1; i >= 0; i--) yield this.#buf[(this.#head + i) % this.#buf.length] as T;
  }

  /** A copy, oldest -> newest. */
  toArray(): T[] {
    return [...this];
  }

  #grow(): void {
    // Unwrap into a larger array so indexes stay contiguous from 0.
    const old = this.#buf;
    const next = new Array<T | undefined>(Math.min(this.capacity, old.length * 2));
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) % old.length];
    this.#buf = next;
    this.#head = 0;
  }
}
