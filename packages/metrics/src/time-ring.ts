/**
 * A fixed-size time series: `slots` slots of `resolution` seconds, columnar typed arrays, so memory
 * is fixed at creation and does not grow with time. A slot remembers which period it holds, so a
 * slot that nothing was written to in its period reads as empty rather than as stale data.
 */
export const RING_FIELDS = ['count', 'errors', 'p50', 'p95', 'p99', 'max'] as const;
export type RingField = (typeof RING_FIELDS)[number];

export interface RingSlot {
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** trace id of the slowest span in the slot, when one was given */
  exemplar?: string;
}

export class TimeRing {
  readonly slots: number;
  readonly resolution: number;
  private readonly period: Float64Array;
  private readonly count: Uint32Array;
  private readonly errors: Uint32Array;
  private readonly p50: Float32Array;
  private readonly p95: Float32Array;
  private readonly p99: Float32Array;
  private readonly max: Float32Array;
  private readonly exemplars: Array<string | undefined>;

  constructor(slots: number, resolutionSeconds: number) {
    this.slots = slots;
    this.resolution = resolutionSeconds;
    this.period = new Float64Array(slots).fill(-1);
    this.count = new Uint32Array(slots);
    this.errors = new Uint32Array(slots);
    this.p50 = new Float32Array(slots);
    this.p95 = new Float32Array(slots);
    this.p99 = new Float32Array(slots);
    this.max = new Float32Array(slots);
    this.exemplars = new Array<string | undefined>(slots);
  }

  /** Period number (seconds since epoch / resolution) of a time in ms. */
  periodOf(timeMs: number): number {
    return Math.floor(timeMs / 1000 / this.resolution);
  }

  write(period: number, slot: RingSlot): void {
    const i = period % this.slots;
    this.period[i] = period;
    this.count[i] = slot.count;
    this.errors[i] = slot.errors;
    this.p50[i] = slot.p50;
    this.p95[i] = slot.p95;
    this.p99[i] = slot.p99;
    this.max[i] = slot.max;
    this.exemplars[i] = slot.exemplar;
  }

  read(period: number): RingSlot | undefined {
    const i = period % this.slots;
    if (this.period[i] !== period) return undefined;
    return {
      count: this.count[i]!,
      errors: this.errors[i]!,
      p50: this.p50[i]!,
      p95: this.p95[i]!,
      p99: this.p99[i]!,
      max: this.max[i]!,
      exemplar: this.exemplars[i],
    };
  }

  /** Bytes held by the typed arrays (the exemplar array holds references to existing strings). */
  get bytes(): number {
    return this.slots * (8 + 4 + 4 + 4 * 4 + 8);
  }
}
