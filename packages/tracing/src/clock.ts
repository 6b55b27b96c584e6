import type { HrTime, TimeInput } from '@opentelemetry/api';

/**
 * The clock of the panel's own spans: one `performance.now()` read per timestamp, sub-millisecond
 * and monotonic, turned into epoch milliseconds by an anchor (`Date.now() - performance.now()`).
 *
 * The monotonic clock and the wall clock drift apart (NTP slews the wall clock; some hosts stop
 * the monotonic one while suspended), and epoch times must stay comparable with other processes'
 * spans. So the anchor is checked against `Date.now()` at most once a second and moved when they
 * disagree by more than a millisecond, the same tolerance `toSpanRecord` allows the SDK's spans
 * (see its `subMillisecondShift`). Between moves, spans of the process are ordered by one
 * monotonic clock.
 */

const perf = performance;
let anchor = Date.now() - perf.now();
let nextCheck = perf.now() + 1000;

/** Epoch milliseconds of a `performance.now()` reading, checking the anchor now and then. */
export function epochOf(perfNow: number): number {
  if (perfNow >= nextCheck) {
    nextCheck = perfNow + 1000;
    const fresh = Date.now() - perf.now();
    if (fresh - anchor > 1 || anchor - fresh > 1) anchor = fresh;
  }
  return anchor + perfNow;
}

/** Milliseconds on the monotonic clock (`performance.now()`). */
export function monotonicNow(): number {
  return perf.now();
}

function isHrTime(value: unknown): value is HrTime {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number';
}

/**
 * An OTel `TimeInput` as epoch milliseconds, as the SDK reads it: a number no larger than
 * `performance.now()` is a `performance.now()` reading, a larger number epoch milliseconds, a
 * `Date` its time, an `HrTime` `[seconds, nanoseconds]` since the epoch. Anything else: undefined.
 */
export function timeInputToEpoch(input: TimeInput | undefined): number | undefined {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    return input <= perf.now() ? epochOf(input) : input;
  }
  if (input instanceof Date) {
    const ms = input.getTime();
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (isHrTime(input)) return input[0] * 1e3 + input[1] / 1e6;
  return undefined;
}
