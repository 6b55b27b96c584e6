/**
 * A bounded least-recently-used map (a Map keeps insertion order: a hit moves its key to the
 * newest end, a full map evicts its oldest key). Counts hits, misses and evictions for the
 * panel's stats.
 *
 * @example
 * const lru = new Lru<string, number>(2);
 * lru.set('a', 1); lru.set('b', 2); lru.get('a'); lru.set('c', 3); // evicts 'b'
 */
export class Lru<K, V> {
  readonly capacity: number;
  hits = 0;
  misses = 0;
  evicted = 0;
  readonly #map = new Map<K, V>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Lru capacity must be a positive integer, got ${String(capacity)}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const map = this.#map;
    const value = map.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    map.delete(key);
    map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    const map = this.#map;
    if (map.has(key)) map.delete(key);
    else if (map.size >= this.capacity) {
      map.delete(map.keys().next().value as K);
      this.evicted++;
    }
    map.set(key, value);
  }
}
