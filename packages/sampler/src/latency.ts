/*
 * A running p99 per route from a log-bucketed histogram with exponential forgetting. Written here
 * rather than taken from a histogram library because this package may depend only on
 * @debugpanel/model: 96 counters per route, O(1) to record, one pass over them to read.
 */
const BASE = 1.2;
const LOG_BASE = Math.log(BASE);
/** Bucket 0 holds durations below MIN_MS; bucket i >= 1 holds [MIN_MS * BASE^(i-1), MIN_MS * BASE^i) */
const MIN_MS = 0.01;
const BUCKETS = 96; // up to 0.01 ms * 1.2^95 ~ 340 s; longer ones share the last bucket

function bucketOf(ms: number): number {
  if (!(ms >= MIN_MS)) return 0;
  const i = 1 + Math.floor(Math.log(ms / MIN_MS) / LOG_BASE);
  return i < BUCKETS ? i : BUCKETS - 1;
}

/**
 * Estimates a high quantile of recent durations to within one bucket (20%). Counts are halved
 * once `window` new samples arrived, so old traffic fades and the estimate follows the route.
 */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #total = 0;
  #sinceHalving = 0;

  constructor(readonly window = 1000) {}

  /** Samples currently weighing in (after halvings). */
  get weight(): number {
    return this.#total;
  }

  record(ms: number): void {
    this.#counts[bucketOf(ms)]! += 1;
    this.#total += 1;
    if (++this.#sinceHalving >= this.window) {
      this.#sinceHalving = 0;
      for (let i = 0; i < BUCKETS; i++) this.#counts[i]! /= 2;
      this.#total /= 2;
    }
  }

  /** The upper edge of the bucket holding quantile `q` (0..1), in ms; 0 when empty. */
  quantile(q: number): number {
    if (this.#total === 0) return 0;
    const target = q * this.#total;
    let sum = 0;
    for (let i = 0; i < BUCKETS; i++) {
      sum += this.#counts[i]!;
      if (sum >= target) return MIN_MS * BASE ** i;
    }
    return MIN_MS * BASE ** (BUCKETS - 1);
  }
}
