/**
 * Pure statistics helpers for the benchmark. Every figure in the table is a median of samples with
 * its min and max; ratios between two contenders are taken pairwise within a round (A and B
 * measured back to back), never across rounds, because on a shared machine the noise between
 * rounds is larger than the difference being measured.
 */

export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number;
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median, min, max and count of a non-empty list of finite numbers. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no samples');
  for (const v of values) {
    if (!Number.isFinite(v)) throw new Error(`summarize: sample ${v} is not a finite number`);
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { median: median(values), min, max, samples: values.length };
}

/**
 * Ratios of `subject[i] / baseline[i]` for each round i, i.e. paired by round. Both lists must
 * have the same length; a round whose baseline is 0 makes the ratio meaningless and is an error.
 */
export function pairedRatios(subject: readonly number[], baseline: readonly number[]): number[] {
  if (subject.length !== baseline.length) {
    throw new Error(`pairedRatios: ${subject.length} subject samples vs ${baseline.length} baseline samples`);
  }
  return subject.map((s, i) => {
    const b = baseline[i]!;
    if (b === 0) throw new Error(`pairedRatios: baseline is 0 in round ${i}`);
    return s / b;
  });
}

/** Summary of the per-round ratios subject/baseline. */
export function ratioSummary(subject: readonly number[], baseline: readonly number[]): Summary {
  return summarize(pairedRatios(subject, baseline));
}

/** Rotates a list left by `by` places: used to vary which contender runs first in each round. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
