/**
 * A trace's log records as the trace view shows them: fetched once per trace from the log store's
 * trace index, grouped by the span that was active, with the worst severity per span for the
 * waterfall's marker. Kept apart from `logs-data.ts` (the Logs view's, loaded with that view) so
 * the trace view's first load carries only this.
 */
import type { LogRecord } from '@debugpanel/model';

/** Records asked for per trace (the API's page cap); a trace with more says so and links to the Logs view. */
export const TRACE_LOG_LIMIT = 1000;

export function traceLogsPath(traceId: string): string {
  return `api/logs?traceId=${encodeURIComponent(traceId)}&limit=${TRACE_LOG_LIMIT}`;
}

export interface SpanLogs {
  /** Span id -> its records, oldest first (the order the code ran) */
  bySpan: Map<string, LogRecord[]>;
  /** Span id -> the highest severity number among its records */
  worst: Map<string, number>;
}

/**
 * Groups records (any order) by `spanId`, each group oldest first; records without a span id
 * (logged outside a span of this trace) are left out.
 *
 * @example
 * const { bySpan, worst } = groupLogsBySpan(res.logs);
 * bySpan.get(spanId)?.length; // the marker's count
 */
export function groupLogsBySpan(records: readonly LogRecord[]): SpanLogs {
  const bySpan = new Map<string, LogRecord[]>();
  const worst = new Map<string, number>();
  for (const r of records) {
    if (!r.spanId) continue;
    const list = bySpan.get(r.spanId);
    if (list) list.push(r);
    else bySpan.set(r.spanId, [r]);
    if (r.severityNumber > (worst.get(r.spanId) ?? 0)) worst.set(r.spanId, r.severityNumber);
  }
  for (const list of bySpan.values()) list.sort((a, b) => a.time - b.time);
  return { bySpan, worst };
}

/**
 * `sev-info`, `sev-warn`... for a severity number (1-24, OTel's six ranges of four), `sev-none`
 * outside them: the one class the Logs view, the span's logs and the waterfall marker colour by.
 *
 * @example
 * severityClass(9);  // 'sev-info'
 * severityClass(18); // 'sev-error' (ERROR2)
 */
export function severityClass(n: number): string {
  return `sev-${n >= 1 && n <= 24 ? LEVELS[Math.floor((n - 1) / 4)] : 'none'}`;
}

/** OTel's severity ranges, lowest first (1-4 trace, 5-8 debug, ... 21-24 fatal). */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/**
 * `key=value` pairs of a record's attributes for its one-line row, cut at `max` characters;
 * `otel.scope.name` (the capture, the same on every line of a logger) is left out.
 */
export function attributeLine(attrs: LogRecord['attributes'], max = 300): string {
  let out = '';
  for (const k of Object.keys(attrs)) {
    if (k === 'otel.scope.name') continue;
    const v = attrs[k]!;
    const s = `${k}=${Array.isArray(v) ? JSON.stringify(v) : String(v)}`;
    out = out ? `${out} ${s}` : s;
    if (out.length >= max) return `${out.slice(0, max - 1)}…`;
  }
  return out;
}
