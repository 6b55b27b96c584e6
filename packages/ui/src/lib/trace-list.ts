/**
 * The trace list kept in the page: bounded by a hard cap, fed by API pages (older) and by SSE
 * (newer). Pure functions over plain arrays so the bounds are unit-tested.
 */
import type { TraceQuery, TraceSummary } from '@debugpanel/model';

/** Hard cap on rows kept in the page, whatever the user scrolls or the stream sends. */
export const MAX_ROWS = 1000;

export interface TraceList {
  rows: TraceSummary[];
  /** Cursor for the next older page; undefined when the API said there is none */
  nextCursor: string | undefined;
  /** True when older rows were dropped from the tail: page on by `until` instead of the cursor */
  tailTrimmed: boolean;
  /** True when newer rows were dropped from the head while paging back */
  headTrimmed: boolean;
}

export function emptyList(): TraceList {
  return { rows: [], nextCursor: undefined, tailTrimmed: false, headTrimmed: false };
}

/** Appends an older page, dropping duplicates; over the cap the newest rows go. */
export function appendOlder(list: TraceList, page: ReadonlyArray<TraceSummary>, nextCursor: string | undefined, cap = MAX_ROWS): TraceList {
  const seen = new Set(list.rows.map((r) => r.traceId));
  const rows = list.rows.concat(page.filter((t) => !seen.has(t.traceId)));
  const over = rows.length - cap;
  return {
    rows: over > 0 ? rows.slice(over) : rows,
    nextCursor,
    tailTrimmed: false,
    headTrimmed: list.headTrimmed || over > 0,
  };
}

/**
 * Puts streamed summaries (oldest first, as they arrived) on top, newest first, replacing rows
 * of the same trace (a trace's summary grows as its spans arrive); over the cap the oldest go.
 */
export function prependNewer(list: TraceList, incoming: ReadonlyArray<TraceSummary>, cap = MAX_ROWS): TraceList {
  if (incoming.length === 0) return list;
  const latest = new Map<string, TraceSummary>();
  for (const t of incoming) {
    latest.delete(t.traceId);
    latest.set(t.traceId, t);
  }
  const top = [...latest.values()].reverse();
  const rows = top.concat(list.rows.filter((r) => !latest.has(r.traceId)));
  const over = rows.length - cap;
  return {
    rows: over > 0 ? rows.slice(0, cap) : rows,
    nextCursor: list.nextCursor,
    tailTrimmed: list.tailTrimmed || over > 0,
    headTrimmed: list.headTrimmed,
  };
}

/** The query for the next older page. */
export function olderPageQuery(list: TraceList, query: TraceQuery): TraceQuery | undefined {
  if (list.tailTrimmed) {
    const last = list.rows[list.rows.length - 1];
    return last ? { ...query, cursor: undefined, until: last.startTime } : undefined;
  }
  return list.nextCursor ? { ...query, cursor: list.nextCursor } : undefined;
}

/** Nearest-rank percentile (p in 0..1) of unsorted values; NaN when empty. */
export function percentile(values: ReadonlyArray<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil(Math.min(1, Math.max(0, p)) * sorted.length);
  return sorted[Math.max(0, rank - 1)]!;
}
