import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';

// The class `hdr.build({ bitBucketSize: 32 })` makes, taken from its own file: the package's index
// also loads its WebAssembly build (a base64 module and its loader) and pako, ~0.6 MiB of live heap
// that a JS histogram never uses. hdr-histogram-js 3.x has no exports map; its dist layout is
// stable across 3.x.
type HistogramClass = new (lowest: number, highest: number, digits: number) => Histogram;
const Int32Histogram = (createRequire(import.meta.url)('hdr-histogram-js/dist/Int32Histogram.js') as { default: HistogramClass }).default;

/**
 * Latency histograms on HdrHistogram (2 significant digits: ±1%), values in microseconds so
 * sub-millisecond spans keep their precision, up to one hour.
 *
 * Only the per-second histogram is written per span (one `recordValue`, ~0.2 µs here); each tick
 * folds it into the 10-second one, and each 10 s that into the lifetime one, so the per-span cost
 * does not grow with the number of windows kept.
 */
const HIGHEST_US = 3_600_000_000;

export function newHistogram(): Histogram {
  // what hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US,
  // numberOfSignificantValueDigits: 2, autoResize: false }) returns
  const h = new Int32Histogram(1, HIGHEST_US, 2);
  h.autoResize = false;
  return h;
}

export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us);
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** p50/p95/p99/max in milliseconds; zeros for an empty histogram. */
export function percentilesMs(h: Histogram): Percentiles {
  if (h.totalCount === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    p50: h.getValueAtPercentile(50) / 1000,
    p95: h.getValueAtPercentile(95) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    max: h.maxValue / 1000,
  };
}

/**
 * Prometheus `le` bucket bounds in seconds, the OTel SDK's default explicit bucket boundaries
 * (in ms: 0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000).
 */
export const BUCKET_BOUNDS_MS: readonly number[] = [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/** Index of the first bound >= ms, or bounds.length for +Inf. A linear scan beats binary search on 14 items. */
export function bucketIndex(ms: number): number {
  const b = BUCKET_BOUNDS_MS;
  let i = 0;
  while (i < b.length && ms > b[i]!) i++;
  return i;
}
