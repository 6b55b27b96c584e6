import { must } from '@debugpanel/model';

/**
 * The deterministic hash of a trace id that ratio decisions use: the 32-bit XOR of its eight-hex
 * digit groups, exactly as `@opentelemetry/sdk-trace-base`'s `TraceIdRatioBasedSampler` computes
 * it, so a debugpanel process and a plain OTel JS process sample the same traces at one ratio.
 *
 * @example
 * traceIdHash('4bf92f3577b34da6a3ce929d0e0e4736'); // always the same uint32
 */
export function traceIdHash(traceId: string): number {
  let acc = 0;
  for (let pos = 0; pos < traceId.length; pos += 8) acc = (acc ^ hexGroup(traceId, pos)) >>> 0;
  return acc;
}

/** parseInt(id.slice(pos, pos + 8), 16), without allocating a substring for valid hex. */
function hexGroup(id: string, pos: number): number {
  const end = Math.min(pos + 8, id.length);
  let v = 0;
  for (let i = pos; i < end; i++) {
    const c = id.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return parseInt(id.slice(pos, end), 16) | 0; // not hex: NaN counts as 0, still deterministic
    v = v * 16 + d;
  }
  return v | 0;
}

/** A fraction of traces to keep: a number from 0 to 1. */
export const isRatio = must((r) => typeof r === 'number' && r >= 0 && r <= 1, 'a number from 0 to 1 (0.01 keeps 1%)');

/** Throws a RangeError unless `ratio` is a number from 0 to 1. */
export function checkRatio(name: string, ratio: unknown): number {
  const problem = isRatio(ratio, name);
  if (problem !== undefined) throw new RangeError(problem);
  return ratio as number;
}

/**
 * True when the trace falls in the sampled fraction `ratio` (0..1). The same id always gets the
 * same answer, in every process and run; a trace sampled at a ratio is sampled at every higher one.
 *
 * @example
 * isTraceIdSampled(span.traceId, 0.01); // keeps about 1% of traces
 */
export function isTraceIdSampled(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  return traceIdHash(traceId) < Math.floor(ratio * 0xffffffff);
}
