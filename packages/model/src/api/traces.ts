/**
 * Traces: `GET {path}/api/traces` (a filtered, paged list of trace summaries) and
 * `GET {path}/api/traces/:traceId` (one trace's spans). The request is a `TraceQuery` in the URL:
 * `parseTraceQuery` (server) and `traceQueryToParams` (clients) are the one mapping, so a filter
 * means the same thing in the address bar, in the API and in the store.
 */
import type { TraceFinding } from './queries.js';
import type { SpanRecord } from '../span.js';
import {
  DEFAULT_QUERY_LIMIT,
  MAX_QUERY_LIMIT,
  type TraceQuery,
  type TraceQueryResult,
  type TraceSummary,
} from '../query.js';

/** `GET {path}/api/traces?service=&status=...` (a `TraceQuery` in the URL): newest first, paged. */
export type TracesResponse = TraceQueryResult;

/** `GET {path}/api/traces/:traceId` */
export interface TraceResponse {
  traceId: string;
  spans: SpanRecord[];
  summary?: TraceSummary;
  /** What the query detectors found in this trace (N+1 groups, slow queries...), when any */
  findings?: TraceFinding[];
}

/** Query-string keys of `GET {path}/api/traces`. `attr` repeats: `attr=key=value`. */
export const TRACE_QUERY_PARAMS = [
  'service',
  'name',
  'route',
  'status',
  'minDuration',
  'maxDuration',
  'attr',
  'text',
  'reason',
  'since',
  'until',
  'limit',
  'cursor',
] as const;

type Params = { get(key: string): string | null; getAll(key: string): string[]; keys(): Iterable<string> };

const MAX_TEXT = 200;

/**
 * Parses URL search parameters into a `TraceQuery`, or an error message naming the bad parameter.
 * Unknown parameters are refused so that typos do not silently match everything.
 */
export function parseTraceQuery(params: Params): { query: TraceQuery } | { error: string } {
  const known = new Set<string>(TRACE_QUERY_PARAMS);
  for (const key of params.keys()) {
    if (!known.has(key)) return { error: `unknown query parameter "${key}"; known: ${TRACE_QUERY_PARAMS.join(', ')}` };
  }
  const query: TraceQuery = {};
  for (const key of ['service', 'name', 'route', 'text', 'reason', 'cursor'] as const) {
    const v = params.get(key);
    if (v === null || v === '') continue;
    if (v.length > MAX_TEXT) return { error: `${key} is longer than ${MAX_TEXT} characters` };
    query[key] = v;
  }
  const status = params.get('status');
  if (status) {
    if (status !== 'error' && status !== 'ok') return { error: `status must be "error" or "ok", got "${status}"` };
    query.status = status;
  }
  for (const key of ['minDuration', 'maxDuration', 'since', 'until'] as const) {
    const v = params.get(key);
    if (v === null || v === '') continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) return { error: `${key} must be a non-negative number, got "${v}"` };
    query[key] = n;
  }
  const limit = params.get('limit');
  if (limit !== null && limit !== '') {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_QUERY_LIMIT) {
      return { error: `limit must be an integer from 1 to ${MAX_QUERY_LIMIT}, got "${limit}"` };
    }
    query.limit = n;
  }
  const attrs = params.getAll('attr');
  if (attrs.length > 0) {
    if (attrs.length > 20) return { error: 'at most 20 attr filters' };
    const attributes: Record<string, string> = {};
    for (const a of attrs) {
      const eq = a.indexOf('=');
      if (eq <= 0) return { error: `attr must look like key=value, got "${a}"` };
      if (a.length > MAX_TEXT) return { error: `attr is longer than ${MAX_TEXT} characters` };
      attributes[a.slice(0, eq)] = a.slice(eq + 1);
    }
    query.attributes = attributes;
  }
  return { query };
}

/** The inverse of `parseTraceQuery`: a query as URL search parameters (defaults left out). */
export function traceQueryToParams(query: TraceQuery): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of TRACE_QUERY_PARAMS) {
    if (key === 'attr') {
      for (const [k, v] of Object.entries(query.attributes ?? {})) out.append('attr', `${k}=${v}`);
      continue;
    }
    const v = query[key as Exclude<keyof TraceQuery, 'attributes'>];
    if (v === undefined || v === '') continue;
    if (key === 'limit' && v === DEFAULT_QUERY_LIMIT) continue;
    out.set(key, String(v));
  }
  return out;
}
