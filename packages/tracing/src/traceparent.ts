import { trace, type Context } from '@opentelemetry/api';
import { parseTracestate } from './tracestate.js';

export interface ParsedTraceparent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

/** Length of a version-00 header: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
const V00_LENGTH = 55;
const DASH = 45;

/** Value of a lower-case hex digit, or -1. Upper case is invalid in traceparent. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** True when header[from, to) is lower-case hex and not all zeros. */
function isNonZeroHex(header: string, from: number, to: number): boolean {
  let nonZero = false;
  for (let i = from; i < to; i++) {
    const v = hexValue(header.charCodeAt(i));
    if (v < 0) return false;
    if (v !== 0) nonZero = true;
  }
  return nonZero;
}

/**
 * Parses a W3C `traceparent` header exactly as Trace Context (level 1 and 2) says, and returns
 * undefined for anything invalid: version `ff`; a version-00 header that is not exactly 55
 * characters; a future version shorter than 55 characters or not followed by `-`; anything but
 * lower-case hex in the four fields; an all-zero trace id or parent id.
 *
 * Hand-written rather than core's `parseTraceParent` because that one accepts surrounding
 * whitespace and is a regular expression on the per-request path; this is a single char scan.
 *
 * @example
 * parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
 * // { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }
 */
export function parseTraceparent(header: string | undefined): ParsedTraceparent | undefined {
  if (typeof header !== 'string') return undefined;
  const length = header.length;
  if (length < V00_LENGTH) return undefined;
  const v0 = hexValue(header.charCodeAt(0));
  const v1 = hexValue(header.charCodeAt(1));
  if (v0 < 0 || v1 < 0) return undefined;
  const version = v0 * 16 + v1;
  if (version === 0xff) return undefined;
  // Version 00 has exactly four fields; a later version may append fields after a dash, and a
  // parser that knows only 00 reads the first four of them.
  if (version === 0 ? length !== V00_LENGTH : length > V00_LENGTH && header.charCodeAt(V00_LENGTH) !== DASH) {
    return undefined;
  }
  if (header.charCodeAt(2) !== DASH || header.charCodeAt(35) !== DASH || header.charCodeAt(52) !== DASH) {
    return undefined;
  }
  if (!isNonZeroHex(header, 3, 35) || !isNonZeroHex(header, 36, 52)) return undefined;
  const f0 = hexValue(header.charCodeAt(53));
  const f1 = hexValue(header.charCodeAt(54));
  if (f0 < 0 || f1 < 0) return undefined;
  return { traceId: header.slice(3, 35), spanId: header.slice(36, 52), traceFlags: f0 * 16 + f1 };
}

/**
 * Flags this library passes on: sampled (0x01) and random (0x02, Trace Context level 2). Unknown
 * bits are dropped as the spec asks ("vendors MUST set those to zero"), which also keeps
 * `traceFlags` within the two hex digits a traceparent has.
 */
export const KNOWN_FLAGS = 0x03;
/** Trace Context level 2: at least the right-most 7 bytes of the trace id are random. */
export const RANDOM_FLAG = 0x02;

const FLAGS_HEX: ReadonlyArray<string> = ['00', '01', '02', '03'];

/**
 * A version-00 `traceparent` value; flags are cut to the known bits.
 *
 * @example
 * formatTraceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 3); // '00-4bf9…-00f0…-03'
 */
export function formatTraceparent(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${FLAGS_HEX[traceFlags & KNOWN_FLAGS]!}`;
}

/**
 * A context whose span is the remote parent described by `traceparent` (and `tracestate`), or
 * `base` itself when the header is missing or invalid: an invalid traceparent starts a new
 * trace and its tracestate is ignored with it. An invalid tracestate is dropped whole and does not
 * affect the traceparent (see tracestate.ts).
 */
export function contextFromHeaders(
  base: Context,
  traceparent: string | string[] | undefined,
  tracestate: string | string[] | undefined,
): Context {
  // Several traceparent headers make the request's context invalid (Node would join them).
  const parsed = parseTraceparent(typeof traceparent === 'string' ? traceparent : undefined);
  if (parsed === undefined) return base;
  return trace.setSpanContext(base, {
    traceId: parsed.traceId,
    spanId: parsed.spanId,
    traceFlags: parsed.traceFlags & KNOWN_FLAGS,
    isRemote: true,
    traceState: tracestate === undefined ? undefined : parseTracestate(tracestate),
  });
}
