/**
 * Sorting the trace list by a column. It orders the rows in the page (at most 1,000, as loaded),
 * as Jaeger sorts its search results; paging and the live stream still go by start time.
 */
import type { TraceSummary } from '@debugpanel/model';

export const SORT_KEYS = ['start', 'duration', 'spans', 'errors', 'status', 'service', 'route'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface TraceSort {
  key: SortKey;
  /** Largest (or newest, or Z) first */
  desc: boolean;
}

/** Newest first: the order the API answers in. */
export const DEFAULT_SORT: TraceSort = { key: 'start', desc: true };

/** The direction a first click on a column sorts in: numbers worst first, names A to Z. */
const FIRST_DESC: Record<SortKey, boolean> = { start: true, duration: true, spans: true, errors: true, status: true, service: false, route: false };

/** `?sort=` and `?dir=` of the hash; anything unknown is the default. `dir` is there only against a key's first direction. */
export function parseSort(sort: string | null, dir: string | null): TraceSort {
  const key = (SORT_KEYS as readonly string[]).includes(sort ?? '') ? (sort as SortKey) : DEFAULT_SORT.key;
  const desc = dir === 'asc' ? false : dir === 'desc' ? true : FIRST_DESC[key];
  return { key, desc };
}

/** Hash params for a sort, left out where they are the default. */
export function formatSort(s: TraceSort): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.key !== DEFAULT_SORT.key || s.desc !== DEFAULT_SORT.desc) out.sort = s.key;
  if (s.desc !== FIRST_DESC[s.key]) out.dir = s.desc ? 'desc' : 'asc';
  return out;
}

/** A click on a column: the same column turns the direction around, another starts in its first direction. */
export function nextSort(current: TraceSort, key: SortKey): TraceSort {
  return current.key === key ? { key, desc: !current.desc } : { key, desc: FIRST_DESC[key] };
}

export function isDefaultSort(s: TraceSort): boolean {
  return s.key === DEFAULT_SORT.key && s.desc === DEFAULT_SORT.desc;
}

const value: Record<SortKey, (t: TraceSummary) => number | string> = {
  start: (t) => t.startTime,
  duration: (t) => t.duration,
  spans: (t) => t.spanCount,
  errors: (t) => t.errorCount,
  status: (t) => t.httpStatus ?? -1,
  service: (t) => `${t.rootService}\u0000${t.rootName}`,
  route: (t) => t.route ?? '',
};

/**
 * The rows in `sort` order; ties keep their order (newest first). Rows without a route sort after
 * the others whichever the direction. The default sort returns `rows` itself (already in order).
 */
export function sortTraces(rows: readonly TraceSummary[], sort: TraceSort): readonly TraceSummary[] {
  if (isDefaultSort(sort)) return rows;
  const get = value[sort.key];
  const sign = sort.desc ? -1 : 1;
  const missing = (t: TraceSummary) => (sort.key === 'route' && t.route === undefined) || (sort.key === 'status' && t.httpStatus === undefined);
  return rows
    .map((t, i) => ({ t, i, v: get(t), m: missing(t) }))
    .sort((a, b) => Number(a.m) - Number(b.m) || (a.v < b.v ? -sign : a.v > b.v ? sign : 0) || a.i - b.i)
    .map((x) => x.t);
}
