import type { LatencyQuantiles } from './types.js';

/** Collects values and answers quantiles. */
export interface LatencyRecorder {
  record(ms: number): void;
  /** Nearest-rank quantile, q in [0, 1]; 0 when empty */
  quantile(q: number): number;
  /** Adds what another recorder of the same kind recorded (for maps merged from time buckets) */
  merge?(other: LatencyRecorder): void;
}

/** Keeps every value: exact quantiles for a one-shot build over a bounded set of spans. */
export class ExactRecorder implements LatencyRecorder {
  private values: number[] = [];
  private sorted = true;
  record(ms: number): void {
    if (!(ms >= 0)) ms = 0; // NaN and negatives (clock skew) count as zero
    if (this.sorted && this.values.length > 0 && ms < this.values[this.values.length - 1]!) this.sorted = false;
    this.values.push(ms);
  }
  quantile(q: number): number {
    const n = this.values.length;
    if (n === 0) return 0;
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    return this.values[Math.min(n, Math.max(1, Math.ceil(q * n))) - 1]!;
  }
}

/*
 * A log-bucketed histogram of fixed size for the long-running builder: memory stays at
 * BUCKETS * 4 bytes whatever the traffic, and a quantile is off by at most half a bucket
 * (GROWTH = 2^(1/8): about 4.4 %). Written here rather than taken from hdr-histogram-js because
 * the analysis packages may import only @debugpanel/model, and this needs 40 lines.
 */
const MIN_MS = 0.001; // 1 µs; below goes to bucket 0
const STEPS_PER_DOUBLING = 8;
const BUCKETS = 320; // 2^(320/8) µs ≈ 12.7 days: anything longer lands in the last bucket
const LOG_GROWTH = Math.LN2 / STEPS_PER_DOUBLING;

export class LogHistogram implements LatencyRecorder {
  private readonly counts = new Uint32Array(BUCKETS);
  private n = 0;
  private min = Infinity;
  private max = -Infinity;

  record(ms: number): void {
    if (!(ms >= 0)) ms = 0; // NaN and negatives (clock skew) count as zero
    this.counts[LogHistogram.bucketOf(ms)]!++;
    this.n++;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  static bucketOf(ms: number): number {
    if (ms < MIN_MS) return 0;
    const b = 1 + Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH);
    return b >= BUCKETS ? BUCKETS - 1 : b;
  }

  get count(): number {
    return this.n;
  }

  /** Adds another histogram's counts: the same buckets, so quantiles of the sum stay within ~4.4 %. */
  merge(other: LatencyRecorder): void {
    if (!(other instanceof LogHistogram)) throw new TypeError('LogHistogram.merge: not a LogHistogram');
    for (let b = 0; b < BUCKETS; b++) this.counts[b]! += other.counts[b]!;
    this.n += other.n;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  quantile(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.min(this.n, Math.max(1, Math.ceil(q * this.n)));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) {
        if (b === 0) return this.min;
        if (b === BUCKETS - 1) return this.max; // open-ended overflow bucket
        // Geometric middle of the bucket, never outside what was seen.
        const mid = MIN_MS * Math.exp((b - 0.5) * LOG_GROWTH);
        return mid < this.min ? this.min : mid > this.max ? this.max : mid;
      }
    }
    return this.max;
  }
}

export function quantiles(r: LatencyRecorder): LatencyQuantiles {
  return { p50: r.quantile(0.5), p95: r.quantile(0.95), p99: r.quantile(0.99) };
}
