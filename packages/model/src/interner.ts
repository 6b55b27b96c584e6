/**
 * A bounded table of canonical strings: equal strings built again and again (a scope key, a
 * `service:key=value` pair, a route name made by concatenation) are replaced by one shared copy,
 * so a structure that keeps thousands of them holds the characters once. Long strings are rarely
 * repeated and costly to hash: they are passed through. When `max` distinct strings are held the
 * table starts afresh (counted in `resets`); strings already shared stay shared, so the table
 * never grows past its bound whatever the cardinality of what it sees.
 *
 * @example
 * const interner = new Interner({ max: 4096 });
 * const key = interner.intern(`route:${service}:${route}`); // the same string object every time
 */
export interface InternerOptions {
  /** Distinct strings held before the table starts afresh (default 4096) */
  max?: number;
  /** Strings longer than this are returned as they are (default 128) */
  maxLength?: number;
}

export class Interner {
  readonly #table = new Map<string, string>();
  readonly max: number;
  readonly maxLength: number;
  /** Times the table was full and started afresh */
  resets = 0;
  /** Whether the last `intern` found the string already there (equal strings cannot be told apart otherwise) */
  hit = false;

  constructor(options: InternerOptions = {}) {
    const max = options.max ?? 4096;
    const maxLength = options.maxLength ?? 128;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`Interner: max must be a positive integer, got ${String(max)}`);
    if (!Number.isInteger(maxLength) || maxLength < 0) throw new RangeError(`Interner: maxLength must be a non-negative integer, got ${String(maxLength)}`);
    this.max = max;
    this.maxLength = maxLength;
  }

  /** The shared copy of `s` (`s` itself the first time it is seen, or when it is too long). */
  intern(s: string): string {
    this.hit = false;
    if (s.length > this.maxLength) return s;
    const shared = this.#table.get(s);
    if (shared !== undefined) {
      this.hit = true;
      return shared;
    }
    if (this.#table.size >= this.max) {
      this.#table.clear();
      this.resets++;
    }
    this.#table.set(s, s);
    return s;
  }

  /** Distinct strings held now */
  get size(): number {
    return this.#table.size;
  }
}
