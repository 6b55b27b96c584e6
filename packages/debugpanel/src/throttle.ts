/**
 * Throttles failed credentials per client: a token bucket per client address that only failures
 * drain (`rate` per minute, `burst` at once). A drained client gets 429 with Retry-After, before
 * its token is even checked, so guessing runs at `rate` per minute at most. The map of clients is
 * bounded: past `maxClients` the oldest bucket is dropped (counted).
 */

export interface ThrottleOptions {
  /** Failures regained per minute (default 5) */
  ratePerMinute?: number;
  /** Failures allowed in a row (default 10) */
  burst?: number;
  /** Clients tracked at once (default 10,000) */
  maxClients?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** IPv6 clients are keyed by their /64 (one host usually holds a whole /64); IPv4 by address. */
export function clientKey(address: string | undefined): string {
  if (!address) return '?';
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (!a.includes(':')) return a;
  const [head = ''] = a.split('::');
  const groups = a.includes('::') ? head.split(':').filter(Boolean) : a.split(':');
  while (groups.length < 4) groups.push('0');
  return groups.slice(0, 4).join(':') + '::/64';
}

export class FailureThrottle {
  readonly maxClients: number;
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  throttled = 0;
  dropped = 0;

  constructor(o: ThrottleOptions = {}) {
    this.#rate = (o.ratePerMinute ?? 5) / 60_000;
    this.#burst = o.burst ?? 10;
    this.maxClients = o.maxClients ?? 10_000;
    this.#now = o.now ?? Date.now;
  }

  get clients(): number {
    return this.#buckets.size;
  }

  #level(b: Bucket, now: number): number {
    return Math.min(this.#burst, b.tokens + (now - b.at) * this.#rate);
  }

  /** Seconds before `key` may try again (counted as throttled), or 0 when it may try now. */
  retryAfter(key: string): number {
    const b = this.#buckets.get(key);
    if (b === undefined) return 0;
    const level = this.#level(b, this.#now());
    if (level >= 1) return 0;
    this.throttled++;
    return Math.max(1, Math.ceil((1 - level) / this.#rate / 1000));
  }

  /** Records a failure of `key`. */
  fail(key: string): void {
    const now = this.#now();
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= this.maxClients) this.#evict(now);
      b = { tokens: this.#burst, at: now };
    } else {
      this.#buckets.delete(key); // re-inserted below: the map stays ordered by last failure
    }
    b.tokens = Math.max(0, this.#level(b, now) - 1);
    b.at = now;
    this.#buckets.set(key, b);
  }

  /** Drops buckets that refilled (same as absent), else the least recently failed one. */
  #evict(now: number): void {
    for (const [k, b] of this.#buckets) {
      if (this.#level(b, now) >= this.#burst) this.#buckets.delete(k);
    }
    if (this.#buckets.size < this.maxClients) return;
    const oldest = this.#buckets.keys().next().value;
    if (oldest !== undefined) {
      this.#buckets.delete(oldest);
      this.dropped++;
    }
  }
}
