import type { SpanRecord, TraceQuery } from '@debugpanel/model';
import type { SpanStore } from '@debugpanel/span-store';

/**
 * Spans one analysis request may fold. The work is synchronous on the app's event loop, so it is
 * bounded by spans as well as by traces: a store configured for millions of spans must not stall
 * the app for seconds (about 1 µs per span for the dependency map, measured).
 */
export const MAX_ANALYSIS_SPANS = 200_000;

/**
 * The newest stored traces matching `query`, page by page, at most `maxTraces` of them and at most
 * `maxSpans` spans in all. `truncated` says that matching traces were left out.
 */
export function collectTraces(
  store: SpanStore,
  query: Omit<TraceQuery, 'limit' | 'cursor'>,
  maxTraces: number,
  maxSpans: number = MAX_ANALYSIS_SPANS,
): { traces: SpanRecord[][]; spans: number; truncated: boolean } {
  const traces: SpanRecord[][] = [];
  let spans = 0;
  const q: TraceQuery = { ...query, limit: Math.min(1000, maxTraces) };
  for (;;) {
    const page = store.query(q);
    for (const t of page.traces) {
      if (traces.length === maxTraces || spans + t.spanCount > maxSpans) return { traces, spans, truncated: true };
      const s = store.getTrace(t.traceId);
      if (s === undefined) continue;
      traces.push(s);
      spans += s.length;
    }
    if (page.nextCursor === undefined) return { traces, spans, truncated: false };
    if (traces.length === maxTraces) return { traces, spans, truncated: true };
    q.cursor = page.nextCursor;
  }
}

/**
 * Reads the query of an analysis route (flame, dependencies) into its known keys: an error
 * message for an unknown key (so a typo does not silently widen the result), a bad time or limit.
 */
export function readParams(
  query: URLSearchParams,
  known: readonly string[],
  limit: { def: number; max: number },
): { error: string } | { text: Record<string, string>; since?: number; until?: number; limit: number } {
  for (const key of query.keys()) {
    if (!known.includes(key)) return { error: `unknown query parameter "${key}"; known: ${known.join(', ')}` };
  }
  const text: Record<string, string> = {};
  for (const key of known) {
    const v = query.get(key);
    if (v === null || v === '') continue;
    if (v.length > 200) return { error: `${key} is longer than 200 characters` };
    text[key] = v;
  }
  const out: { text: Record<string, string>; since?: number; until?: number; limit: number } = { text, limit: limit.def };
  for (const key of ['since', 'until'] as const) {
    if (text[key] === undefined) continue;
    const n = Number(text[key]);
    if (!Number.isFinite(n) || n < 0) return { error: `${key} must be ms since the epoch (a non-negative number), got "${text[key]}"` };
    out[key] = n;
  }
  if (text.limit !== undefined) {
    const n = Number(text.limit);
    if (!Number.isInteger(n) || n < 1 || n > limit.max) return { error: `limit must be an integer from 1 to ${limit.max}, got "${text.limit}"` };
    out.limit = n;
  }
  return out;
}
