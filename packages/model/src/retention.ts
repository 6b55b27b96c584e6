/**
 * Which retention class a stored trace belongs to: the one rule the span store thins by when its
 * budget is full (DESIGN: each domain rule is written once in `model`). Classes go in tiers, the
 * lowest tier first: `normal` traces, then `exemplar`s, then `slow` and `error` traces (oldest
 * first between the two), then traces `linked` from an incident or a breakpoint snapshot, then
 * `pinned` ones. Within a class, the oldest goes first.
 */
import type { RetentionClass } from './api/stats.js';

/** Every class, lowest tier (evicted first) to highest. */
export const RETENTION_CLASSES = Object.freeze(['normal', 'exemplar', 'slow', 'error', 'linked', 'pinned'] as const) satisfies ReadonlyArray<RetentionClass>;

/** Eviction tier of each class: the store empties a tier before it touches the next. */
export const RETENTION_TIER: Readonly<Record<RetentionClass, number>> = Object.freeze({
  normal: 0,
  exemplar: 1,
  slow: 2,
  error: 2,
  linked: 3,
  pinned: 4,
});

/** What the rule reads of a trace. */
export interface RetentionFacts {
  readonly pinned: boolean;
  /** Referenced by an incident's evidence or a breakpoint snapshot */
  readonly linked: boolean;
  /** Error spans it holds (`isErrorSpan`) */
  readonly errorCount: number;
  /** The tail sampler's "kept because" reason (`all`, `error`, `slow`, `sampled`, `rate`, `attribute:<key>`) */
  readonly reason: string | undefined;
  /** Its duration reached the store's `slowTraceMs` */
  readonly slow: boolean;
  /** One of the first few traces of its route in its minute (the store counts them) */
  readonly exemplar: boolean;
}

/**
 * The class of a trace: pinned > linked > error (an error span, or kept by the `error` policy) >
 * slow (kept by the `latency` policy, or as long as `slowTraceMs`) > exemplar (one of the first
 * few of its route in its minute, or kept by an `attributes` policy) > normal.
 *
 * @example
 * retentionClassOf({ pinned: false, linked: false, errorCount: 1, reason: 'all', slow: false, exemplar: false }); // 'error'
 */
export function retentionClassOf(t: RetentionFacts): RetentionClass {
  return RETENTION_CLASSES[retentionClassIndex(t)]!;
}

/**
 * The same rule, as the class's index in `RETENTION_CLASSES` (what the span store keeps per
 * trace: it runs for every new trace, and a number saves a keyed lookup).
 */
export function retentionClassIndex(t: RetentionFacts): number {
  if (t.pinned) return 5;
  if (t.linked) return 4;
  const reason = t.reason;
  if (t.errorCount > 0 || reason === 'error') return 3;
  if (t.slow || reason === 'slow') return 2;
  if (t.exemplar || (reason !== undefined && reason.startsWith('attribute:'))) return 1;
  return 0;
}
