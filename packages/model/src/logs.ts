/**
 * Log records, as the OpenTelemetry Logs data model describes them, in the panel's units (times in
 * ms since the epoch, float): what capture (console, pino, winston, the OTel Logs API), OTLP logs
 * ingest, the log store, `GET {path}/api/logs` and the UI share.
 */
import type { Attributes } from './span.js';

/** Where a record came from: a capture of this process or OTLP from another one. */
export type LogSource = 'console' | 'pino' | 'winston' | 'otel' | 'otlp';

export interface LogRecord {
  /** Trace of the request that logged it; absent for a line logged outside any trace */
  traceId?: string;
  /** Span active when it was logged */
  spanId?: string;
  /** `service.name` of the process that logged it */
  service: string;
  /** ms since epoch, float */
  time: number;
  /** OTel `SeverityNumber`, 1 (TRACE) to 24 (FATAL4) */
  severityNumber: number;
  /** As the logger named it (`info`, `warn`, `ERROR`...), else the OTel short name of `severityNumber` */
  severityText: string;
  /** The message, cut at {@link MAX_LOG_BODY} characters (then ending in `…`) */
  body: string;
  /** Structured fields (pino's merged object, winston's meta, OTel attributes), redacted */
  attributes: Attributes;
  /** What captured it */
  source: LogSource;
}

/** Characters kept of a log body: longer ones are cut and end in `…` (8 KB). */
export const MAX_LOG_BODY = 8192;

/** Attributes kept per log record (OTel's default count limit); the rest are dropped. */
export const MAX_LOG_ATTRIBUTES = 128;

/** The short names of the OTel severity ranges, lowest number of each range. */
export const SEVERITY = Object.freeze({ TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 });

const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

/**
 * The OTel short name of a severity number (`9` -> `INFO`, `10` -> `INFO2`, `17` -> `ERROR`).
 *
 * @example
 * severityName(13); // 'WARN'
 */
export function severityName(n: number): string {
  if (!(n >= 1 && n <= 24)) return 'UNSPECIFIED';
  const i = Math.floor((n - 1) / 4);
  const step = (n - 1) % 4;
  return step === 0 ? SEVERITY_NAMES[i]! : `${SEVERITY_NAMES[i]!}${step + 1}`;
}

/**
 * A severity given as a number (1-24) or a name (`warn`, `ERROR`, `info2`, `warning`, `fatal`,
 * case-insensitive) as its number, or undefined when it is neither.
 *
 * @example
 * parseSeverity('warn'); // 13
 * parseSeverity('17');   // 17
 */
export function parseSeverity(v: string): number | undefined {
  if (/^\d{1,2}$/.test(v)) {
    const n = Number(v);
    return n >= 1 && n <= 24 ? n : undefined;
  }
  const m = /^(trace|debug|info|warn|warning|error|err|fatal|critical)([2-4])?$/i.exec(v.trim());
  if (!m) return undefined;
  const word = m[1]!.toLowerCase();
  const base =
    word === 'warning' ? SEVERITY.WARN
    : word === 'err' ? SEVERITY.ERROR
    : word === 'critical' ? SEVERITY.FATAL
    : SEVERITY[word.toUpperCase() as keyof typeof SEVERITY];
  return base + (m[2] ? Number(m[2]) - 1 : 0);
}

/** What `LogStore.query()` takes; every filter given must match. */
export interface LogQuery {
  /** Records of this trace (served from the trace index, no scan) */
  traceId?: string;
  /** Records logged while this span was active */
  spanId?: string;
  service?: string;
  /** Lowest severity number (inclusive) */
  severity?: number;
  /** Case-insensitive substring of the body or of an attribute value */
  text?: string;
  /** Every key must equal (as a string) the record's attribute */
  attributes?: Record<string, string>;
  /** Time bounds, ms since epoch, inclusive */
  since?: number;
  until?: number;
  /** Page size (default 100, at most 1000) */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor` */
  cursor?: string;
}

export interface LogQueryResult {
  /** Newest first */
  logs: LogRecord[];
  /** Pass as `cursor` for the next (older) page; absent on the last page */
  nextCursor?: string;
}

export const DEFAULT_LOG_LIMIT = 100;
export const MAX_LOG_LIMIT = 1000;

const ALL = (): boolean => true;

/**
 * One predicate for every filter of a query but `cursor` and `limit`, built once per query (the
 * text as one case-insensitive RegExp): the rule the log store filters by and the UI's live tail
 * judges streamed records with.
 *
 * @example
 * const match = logMatcher({ severity: 13, text: 'timeout' });
 * match(record); // true for a WARN or worse record whose body or a string attribute has "timeout"
 */
export function logMatcher(q: LogQuery): (r: LogRecord) => boolean {
  const checks: Array<(r: LogRecord) => boolean> = [];
  const { traceId, spanId, service, severity, since, until } = q;
  if (traceId !== undefined) checks.push((r) => r.traceId === traceId);
  if (spanId !== undefined) checks.push((r) => r.spanId === spanId);
  if (service !== undefined) checks.push((r) => r.service === service);
  if (severity !== undefined) checks.push((r) => r.severityNumber >= severity);
  if (since !== undefined) checks.push((r) => r.time >= since);
  if (until !== undefined) checks.push((r) => r.time <= until);
  if (q.attributes !== undefined) {
    const pairs = Object.entries(q.attributes);
    if (pairs.length > 0) {
      checks.push((r) => {
        for (const [k, v] of pairs) {
          const a = Object.hasOwn(r.attributes, k) ? r.attributes[k] : undefined;
          if (a === undefined || String(a) !== v) return false;
        }
        return true;
      });
    }
  }
  if (q.text !== undefined && q.text !== '') {
    const re = new RegExp(q.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    checks.push((r) => {
      if (re.test(r.body)) return true;
      const attributes = r.attributes;
      for (const key in attributes) {
        const v = attributes[key];
        if (typeof v === 'string' && re.test(v)) return true;
      }
      return false;
    });
  }
  if (checks.length === 0) return ALL;
  if (checks.length === 1) return checks[0]!;
  return (r) => {
    for (const c of checks) if (!c(r)) return false;
    return true;
  };
}
