/**
 * The trace list's queries over a store's entries: filters compiled once per query (cheapest
 * checks first, bigram filters before span reads), the newest-first walk that stops when a page is
 * full, and cursors that name the last trace returned (its arrival number), so traces added or
 * evicted between pages neither shift nor repeat entries.
 */
import {
  DEFAULT_QUERY_LIMIT,
  httpStatusIn,
  httpStatusOf,
  parseHttpStatusFilter,
  MAX_QUERY_LIMIT,
  NAME_SEP,
  keySep,
  makeNeedle,
  type BigramFilters,
  type Needle,
  type RingBuffer,
  type Attributes,
  type TraceQuery,
  type TraceQueryResult,
  type TraceSummary,
} from '@debugpanel/model';
import { keptReason, summarize, type TraceEntry } from './trace-entry.js';

type Filter = (e: TraceEntry) => boolean;

const CURSOR_PREFIX = 's';
/** Traces a query with a needle walks newest first before it scans the filters instead */
const PROBE_TRACES = 256;

/** What a query reads of the store. */
export interface QuerySource {
  /** Traces in first-arrival order (ascending seq); evicted ones stay as tombstones (`dead`), skipped */
  readonly order: RingBuffer<TraceEntry>;
  /** Brings every trace's bigram filter up to date and returns the filters (called only for a needle) */
  updateFilters(): BigramFilters;
  /** The trace of each filter slot */
  readonly bySlot: ReadonlyArray<TraceEntry | undefined>;
}

/**
 * Trace summaries matching every filter of `q`, newest first (by first arrival), one page at a
 * time, with `nextCursor` when there is an older page. Throws a RangeError for a malformed cursor
 * or a limit outside 1..1000.
 */
export function queryTraces(source: QuerySource, q: TraceQuery): TraceQueryResult {
  const limit = q.limit ?? DEFAULT_QUERY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new RangeError(`SpanStore.query: limit must be an integer from 1 to ${MAX_QUERY_LIMIT}, got ${String(limit)}`);
  }
  const before = q.cursor === undefined || q.cursor === '' ? Infinity : decodeCursor(q.cursor);
  const needle = needleOf(q);
  const filters = needle === undefined ? undefined : source.updateFilters();
  const match = compileFilter(q, filters === undefined ? undefined : { filters, needle: needle! });
  const out: TraceSummary[] = [];
  let last: TraceEntry | undefined;
  let more = false;
  /*
   * With a needle, walking newest first stops after PROBE_TRACES traces: a common needle has
   * filled the page by then, and a rare one is better served by one pass over the filters'
   * shared array (contiguous memory) than by reading each entry (a cache miss apiece).
   */
  let budget = needle === undefined ? Infinity : PROBE_TRACES;
  /** Seq of the first trace the walk did not examine (it and older ones remain) */
  let stoppedAt = -1;

  /** Returns true once the page is full and one more match exists (there is a next page). */
  const take = (e: TraceEntry): boolean => {
    if (match !== undefined && !match(e)) return false;
    if (out.length === limit) return true;
    out.push(summarize(e));
    last = e;
    return false;
  };
  const scan = (at: (i: number) => TraceEntry, size: number): boolean => {
    for (let i = lastIndexBelow(at, size, before); i >= 0; i--) {
      const e = at(i);
      if (e.dead) continue;
      if (budget-- === 0) {
        stoppedAt = e.seq;
        return false;
      }
      if (take(e)) return true;
    }
    return false;
  };
  const order = source.order;
  more = scan((i) => order.at(i)!, order.size);
  if (!more && stoppedAt >= 0) {
    const below = stoppedAt + 1;
    const rest = filters!.candidates(needle!, source.bySlot as Array<TraceEntry | undefined>).filter((e) => e.seq < below);
    rest.sort((a, b) => b.seq - a.seq);
    for (let i = 0; i < rest.length && !more; i++) more = take(rest[i]!);
  }
  const result: TraceQueryResult = { traces: out };
  if (more && last !== undefined) result.nextCursor = encodeCursor((last as TraceEntry).seq);
  return result;
}

/** The cursor naming the trace with arrival number `seq`. */
export function encodeCursor(seq: number): string {
  return CURSOR_PREFIX + seq.toString(36);
}

export function decodeCursor(cursor: string): number {
  const body = cursor.slice(CURSOR_PREFIX.length);
  const seq = cursor.startsWith(CURSOR_PREFIX) && /^[0-9a-z]{1,11}$/.test(body) ? parseInt(body, 36) : NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new RangeError(`SpanStore.query: invalid cursor "${cursor.slice(0, 40)}"; pass a nextCursor from a previous page`);
  }
  return seq;
}

/** Index of the last entry with seq < before (entries are in ascending seq), or -1. */
export function lastIndexBelow(at: (i: number) => TraceEntry, size: number, before: number): number {
  if (before === Infinity) return size - 1;
  let lo = 0;
  let hi = size; // first index with seq >= before lies in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid).seq < before) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The bigram bits any trace matching `name`, `attributes` and `text` must have, or undefined. */
export function needleOf(q: TraceQuery): Needle | undefined {
  const parts: Needle[] = [];
  const push = (n: Needle | undefined): void => {
    if (n !== undefined) parts.push(n);
  };
  if (q.name !== undefined && q.name !== '') push(makeNeedle(q.name, NAME_SEP));
  if (q.attributes !== undefined) {
    for (const [k, v] of Object.entries(q.attributes)) push(makeNeedle(String(v), keySep(k)));
  }
  if (q.text !== undefined && q.text !== '') push(makeNeedle(q.text, -1));
  if (parts.length <= 1) return parts[0];
  // Every part must match, so the union of their bits is the test.
  const byWord = new Map<number, number>();
  for (const p of parts) for (let i = 0; i < p.words.length; i++) byWord.set(p.words[i]!, (byWord.get(p.words[i]!) ?? 0) | p.masks[i]!);
  return { words: Int32Array.from(byWord.keys()), masks: Int32Array.from(byWord.values()) };
}

/**
 * One predicate for the query's filters, cheapest checks first; undefined when none is set.
 * With `bloom`, traces whose filter lacks the needle's bits are skipped before their spans are read.
 */
export function compileFilter(q: TraceQuery, bloom?: { filters: BigramFilters; needle: Needle }): Filter | undefined {
  const checks: Filter[] = [];
  const { reason, status, minDuration, maxDuration, since, until, route, service, name, attributes, text } = q;
  if (reason !== undefined && reason !== '') checks.push((e) => keptReason(e) === reason);
  if (status === 'error') checks.push((e) => e.errorCount > 0);
  else if (status === 'ok') checks.push((e) => e.errorCount === 0);
  if (q.httpStatus !== undefined && q.httpStatus !== '') {
    const f = parseHttpStatusFilter(q.httpStatus);
    if (typeof f === 'string') throw new RangeError(`SpanStore.query: ${f}`);
    checks.push((e) => httpStatusIn(httpStatusOf({ attributes: e.rootAttributes }), f));
  }
  if (minDuration !== undefined) checks.push((e) => e.endTime - e.startTime >= minDuration);
  if (maxDuration !== undefined) checks.push((e) => e.endTime - e.startTime <= maxDuration);
  if (since !== undefined) checks.push((e) => e.startTime >= since);
  if (until !== undefined) checks.push((e) => e.startTime <= until);
  if (route !== undefined && route !== '') {
    // The root's route; with a service that is not the root's (orders behind the gateway, as a hub
    // holds it), also the route that service's own server spans served: the traces of orders'
    // GET /products/:id, which a metrics row, a query's route or an incident of orders asks for.
    const svc = service !== undefined && service !== '' ? service : undefined;
    checks.push(
      svc === undefined
        ? (e) => e.rootAttributes['http.route'] === route
        : (e) =>
            e.rootAttributes['http.route'] === route ||
            (e.slab.service(e.root) !== svc && e.someSlot((slab, s) => slab.kind(s) === 'server' && slab.service(s) === svc && slab.attributes(s)['http.route'] === route)),
    );
  }
  if (service !== undefined && service !== '') checks.push((e) => e.hasService(service));
  if (bloom !== undefined) {
    const { filters, needle } = bloom;
    checks.push((e) => filters.mayContain(e.slot, needle));
  }
  if (name !== undefined && name !== '') checks.push((e) => e.someSlot((slab, s) => slab.name(s) === name));
  if (attributes !== undefined) {
    const pairs = Object.entries(attributes);
    if (pairs.length > 0) {
      checks.push((e) =>
        pairs.every(([k, v]) =>
          e.someSlot((slab, s) => {
            const a = slab.attributes(s)[k];
            return a !== undefined && (typeof a === 'string' ? a === v : String(a) === v);
          }),
        ),
      );
    }
  }
  if (text !== undefined && text !== '') {
    // One case-insensitive regexp instead of lower-casing every value (no allocation per value).
    const re = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    checks.push((e) => re.test(e.traceId) || e.someSlot((slab, s) => spanHasText(slab.name(s), slab.attributes(s), re)));
  }
  if (checks.length === 0) return undefined;
  if (checks.length === 1) return checks[0];
  return (e) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(e)) return false;
    return true;
  };
}

function spanHasText(name: string, attrs: Attributes, re: RegExp): boolean {
  if (re.test(name)) return true;
  for (const k in attrs) {
    const v = attrs[k];
    if (re.test(typeof v === 'string' ? v : String(v))) return true;
  }
  return false;
}
