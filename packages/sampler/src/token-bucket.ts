/**
 * A token bucket: `rate` tokens per second, holding at most `burst`. Time comes from the caller
 * (ms), so the sampler's injectable clock drives it and tests need no sleeps.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#last = now;
  }

  /** Refills for the time passed since the last call, then takes one token if there is one. */
  take(now: number): boolean {
    if (now > this.#last) {
      this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate);
      this.#last = now;
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    return false;
  }

  /** True when a token is there now (nothing taken). */
  has(now: number): boolean {
    const tokens = now > this.#last ? Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate) : this.#tokens;
    return tokens >= 1;
  }
}
