/**
 * Logs: `GET {path}/api/logs` (a filtered, paged list of log records, newest first) and the
 * `logs` section of `GET {path}/api/stats`. The request is a `LogQuery` in the URL:
 * `parseLogQuery` (server) and `logQueryToParams` (clients) are the one mapping.
 */
import { isValidSpanId, isValidTraceId } from '../ids.js';
import { DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT, parseSeverity, type LogQuery, type LogQueryResult } from '../logs.js';

/** `GET {path}/api/logs?traceId=&spanId=&service=&severity=&text=&attr=&since=&until=&limit=&cursor=` */
export type LogsResponse = LogQueryResult;

/** Query-string keys of `GET {path}/api/logs`. `attr` repeats: `attr=key=value`. */
export const LOG_QUERY_PARAMS = [
  'traceId',
  'spanId',
  'service',
  'severity',
  'text',
  'attr',
  'since',
  'until',
  'limit',
  'cursor',
] as const;

type Params = { get(key: string): string | null; getAll(key: string): string[]; keys(): Iterable<string> };

const MAX_TEXT = 200;

/**
 * Parses URL search parameters into a `LogQuery`, or an error message naming the bad parameter.
 * `severity` takes a number 1-24 or a name (`warn`, `error`...). Unknown parameters are refused.
 *
 * @example
 * parseLogQuery(new URLSearchParams('severity=warn&service=orders')); // { query: { severity: 13, service: 'orders' } }
 */
export function parseLogQuery(params: Params): { query: LogQuery } | { error: string } {
  const known = new Set<string>(LOG_QUERY_PARAMS);
  for (const key of params.keys()) {
    if (!known.has(key)) return { error: `unknown query parameter "${key}"; known: ${LOG_QUERY_PARAMS.join(', ')}` };
  }
  const query: LogQuery = {};
  for (const key of ['service', 'text', 'cursor'] as const) {
    const v = params.get(key);
    if (v === null || v === '') continue;
    if (v.length > MAX_TEXT) return { error: `${key} is longer than ${MAX_TEXT} characters` };
    query[key] = v;
  }
  const traceId = params.get('traceId');
  if (traceId) {
    if (!isValidTraceId(traceId)) return { error: `traceId must be 32 lower-case hex characters, got "${String(traceId).slice(0, 64)}"` };
    query.traceId = traceId;
  }
  const spanId = params.get('spanId');
  if (spanId) {
    if (!isValidSpanId(spanId)) return { error: `spanId must be 16 lower-case hex characters, got "${String(spanId).slice(0, 64)}"` };
    query.spanId = spanId;
  }
  const severity = params.get('severity');
  if (severity) {
    const n = parseSeverity(severity);
    if (n === undefined) return { error: `severity must be a number from 1 to 24 or a name like warn or error, got "${severity.slice(0, 40)}"` };
    query.severity = n;
  }
  for (const key of ['since', 'until'] as const) {
    const v = params.get(key);
    if (v === null || v === '') continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) return { error: `${key} must be a non-negative number (ms since epoch), got "${v.slice(0, 40)}"` };
    query[key] = n;
  }
  const limit = params.get('limit');
  if (limit !== null && limit !== '') {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LOG_LIMIT) {
      return { error: `limit must be an integer from 1 to ${MAX_LOG_LIMIT}, got "${limit.slice(0, 40)}"` };
    }
    query.limit = n;
  }
  const attrs = params.getAll('attr');
  if (attrs.length > 0) {
    if (attrs.length > 20) return { error: 'at most 20 attr filters' };
    const attributes: Record<string, string> = {};
    for (const a of attrs) {
      const eq = a.indexOf('=');
      if (eq <= 0) return { error: `attr must look like key=value, got "${a.slice(0, 60)}"` };
      if (a.length > MAX_TEXT) return { error: `attr is longer than ${MAX_TEXT} characters` };
      attributes[a.slice(0, eq)] = a.slice(eq + 1);
    }
    query.attributes = attributes;
  }
  return { query };
}

/** The inverse of `parseLogQuery`: a query as URL search parameters (defaults left out). */
export function logQueryToParams(query: LogQuery): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of LOG_QUERY_PARAMS) {
    if (key === 'attr') {
      for (const [k, v] of Object.entries(query.attributes ?? {})) out.append('attr', `${k}=${v}`);
      continue;
    }
    const v = query[key];
    if (v === undefined || v === '') continue;
    if (key === 'limit' && v === DEFAULT_LOG_LIMIT) continue;
    out.set(key, String(v));
  }
  return out;
}

/** The log store's fill and what it evicted (`logs.store` in stats). */
export interface LogStoreStats {
  records: number;
  /** Estimated heap bytes held */
  bytes: number;
  maxRecords: number;
  maxBytes: number;
  /** Records of traces the tail sampler kept, held apart so they outlive the others */
  keptRecords: number;
  /** Traces with at least one record held (the trace index) */
  traces: number;
  /** Records evicted to make room (oldest first; those of kept traces last) */
  evicted: number;
  /** Records refused: larger than the whole byte budget */
  refused: number;
}

/** What capture saw and dropped (`logs.capture` in stats). */
export interface LogCaptureStats {
  /** Records captured, per source */
  console: number;
  pino: number;
  winston: number;
  otel: number;
  /** Records received over OTLP (hub) */
  otlp: number;
  /** Records dropped because the batch waiting to be formatted was full */
  dropped: number;
  /** Records whose capture or formatting threw (skipped, the app's call unaffected) */
  errors: number;
  /** Bodies cut at MAX_LOG_BODY */
  truncated: number;
  /** Which capture is on: the loggers found and patched */
  active: string[];
}

/** `logs` section of `GET {path}/api/stats` (absent with `logs: false`). */
export interface LogsStats {
  store: LogStoreStats;
  capture: LogCaptureStats;
}
