import type { Histogram } from 'hdr-histogram-js';
import type { SeriesKind, SeriesLabels } from '@debugpanel/model';
import { BUCKET_BOUNDS_MS, bucketIndex, newHistogram, percentilesMs, recordMs, type Percentiles } from './latency.js';
import { TimeRing } from './time-ring.js';

// Labels travel in `GET {path}/api/metrics`: declared in @debugpanel/model.
export type { SeriesKind, SeriesLabels };

export interface RingSizes {
  fineSlots: number;
  fineResolution: number;
  coarseSlots: number;
  coarseResolution: number;
}

/** How many trace ids a Prometheus bucket keeps as exemplars. */
const EXEMPLARS_PER_BUCKET = 2;

/**
 * One label set of one metric: lifetime counters and `le` buckets (for Prometheus), the open
 * fine and coarse periods, and their fixed-size rings.
 */
export class Series {
  readonly labels: SeriesLabels;
  count = 0;
  errors = 0;
  sumMs = 0;
  /** non-cumulative counts per `le` bound, the last one for +Inf */
  readonly buckets: Float64Array;
  /** a few recent trace ids per bucket, newest last */
  readonly exemplars: string[][];
  readonly total: Histogram;
  readonly fine: TimeRing;
  readonly coarse: TimeRing;

  // The open fine period: written per span.
  private readonly fineHist: Histogram;
  private fineCount = 0;
  private fineErrors = 0;
  private fineMax = -1;
  private fineMaxTrace: string | undefined;
  // The open coarse period: filled from the fine one at each flush.
  private readonly coarseHist: Histogram;
  private coarseCount = 0;
  private coarseErrors = 0;
  private coarseMax = -1;
  private coarseMaxTrace: string | undefined;

  constructor(labels: SeriesLabels, sizes: RingSizes) {
    this.labels = labels;
    this.buckets = new Float64Array(BUCKET_BOUNDS_MS.length + 1);
    this.exemplars = BUCKET_BOUNDS_MS.map(() => []).concat([[]]);
    // Fixed-size Int32 count arrays (~14 KB each): folding one into another is a plain loop,
    // and memory does not drift with the values seen, as packed arrays would.
    this.total = newHistogram();
    this.fineHist = newHistogram();
    this.coarseHist = newHistogram();
    this.fine = new TimeRing(sizes.fineSlots, sizes.fineResolution);
    this.coarse = new TimeRing(sizes.coarseSlots, sizes.coarseResolution);
  }

  /** True when this is the first observation of the open fine period (the caller tracks it). */
  observe(durationMs: number, error: boolean, traceId: string): boolean {
    const first = this.fineCount === 0;
    this.count++;
    this.sumMs += durationMs;
    const b = bucketIndex(durationMs);
    this.buckets[b]!++;
    const ex = this.exemplars[b]!;
    if (ex.length >= EXEMPLARS_PER_BUCKET) ex.shift();
    ex.push(traceId);
    recordMs(this.fineHist, durationMs);
    this.fineCount++;
    if (error) {
      this.errors++;
      this.fineErrors++;
    }
    if (durationMs > this.fineMax) {
      this.fineMax = durationMs;
      this.fineMaxTrace = traceId;
    }
    return first;
  }

  /** Closes the open fine period into its ring slot and folds it into the coarse histogram. */
  flushFine(period: number): void {
    if (this.fineCount === 0) return;
    const p = percentilesMs(this.fineHist);
    this.fine.write(period, {
      count: this.fineCount,
      errors: this.fineErrors,
      ...p,
      max: this.fineMax,
      exemplar: this.fineMaxTrace,
    });
    this.coarseHist.add(this.fineHist);
    this.coarseCount += this.fineCount;
    this.coarseErrors += this.fineErrors;
    if (this.fineMax > this.coarseMax) {
      this.coarseMax = this.fineMax;
      this.coarseMaxTrace = this.fineMaxTrace;
    }
    this.fineHist.reset();
    this.fineCount = 0;
    this.fineErrors = 0;
    this.fineMax = -1;
    this.fineMaxTrace = undefined;
  }

  /** Closes the open coarse period into its ring slot and folds it into the lifetime histogram. */
  flushCoarse(period: number): boolean {
    if (this.coarseCount === 0) return false;
    this.coarse.write(period, {
      count: this.coarseCount,
      errors: this.coarseErrors,
      ...percentilesMs(this.coarseHist),
      max: this.coarseMax,
      exemplar: this.coarseMaxTrace,
    });
    this.total.add(this.coarseHist);
    this.coarseHist.reset();
    this.coarseCount = 0;
    this.coarseErrors = 0;
    this.coarseMax = -1;
    this.coarseMaxTrace = undefined;
    return true;
  }

  get hasOpenCoarse(): boolean {
    return this.coarseCount > 0;
  }

  /** Lifetime percentiles (of closed coarse periods). */
  percentiles(): Percentiles {
    return percentilesMs(this.total);
  }

  /** Approximate bytes held: histograms, rings and bucket arrays. */
  get bytes(): number {
    return (
      this.total.estimatedFootprintInBytes +
      this.fineHist.estimatedFootprintInBytes +
      this.coarseHist.estimatedFootprintInBytes +
      this.fine.bytes +
      this.coarse.bytes +
      this.buckets.byteLength
    );
  }
}
