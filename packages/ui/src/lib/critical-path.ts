/**
 * The critical path of a trace (`GET api/traces/:id/critical-path`) shaped for the waterfall: one
 * Map lookup per drawn row gives whether the span is on the path, its time there and the stretches
 * of its bar to mark.
 */
import type { CriticalPathResponse } from '@debugpanel/model';

/** One stretch of a span's bar on the critical path (ms since epoch). */
export interface PathStretch {
  start: number;
  end: number;
}

/** A span on the critical path: its ms on the path and its stretches, in time order. */
export interface PathMark {
  ms: number;
  stretches: PathStretch[];
}

export interface CriticalMarks {
  bySpan: ReadonlyMap<string, PathMark>;
  /** ms: the sum of every segment, the length of the path */
  total: number;
}

/**
 * Indexes the API's segments by span. A span can be on the path in several stretches (before and
 * after the child it waited on), so stretches are kept apart; `ms` is the API's `bySpan` figure
 * when it has one (it is the server's sum of the same segments). The server computes on raw
 * times: `skew` (span id -> ms, from `adjustClockSkew`) moves a span's stretches with its bar.
 *
 * @example
 * const marks = criticalMarks(await getJson<CriticalPathResponse>(criticalPathPath(traceId)));
 * marks.bySpan.get(spanId)?.ms; // time this span spent on the path
 */
export function criticalMarks(res: CriticalPathResponse, skew?: ReadonlyMap<string, number>): CriticalMarks {
  const bySpan = new Map<string, PathMark>();
  let total = 0;
  for (const s of res.segments) {
    if (!(s.end >= s.start)) continue; // malformed or NaN: nothing to draw
    total += s.end - s.start;
    let m = bySpan.get(s.spanId);
    if (!m) bySpan.set(s.spanId, (m = { ms: 0, stretches: [] }));
    m.ms += s.end - s.start;
    const d = skew?.get(s.spanId) ?? 0;
    m.stretches.push({ start: s.start + d, end: s.end + d });
  }
  for (const [id, m] of bySpan) {
    m.stretches.sort((a, b) => a.start - b.start);
    const ms = res.bySpan[id];
    if (typeof ms === 'number' && Number.isFinite(ms)) m.ms = ms;
  }
  return { bySpan, total };
}

/** True when any member of a fold is on the path (a closed fold then carries the mark for them). */
export function anyOnPath(marks: CriticalMarks, spanIds: Iterable<string>): boolean {
  for (const id of spanIds) if (marks.bySpan.has(id)) return true;
  return false;
}
