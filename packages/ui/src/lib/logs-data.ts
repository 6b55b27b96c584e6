/**
 * Pure parts of the Logs view: the hash's filters as a `LogQuery`, the severity menu, and the
 * record list kept in the page, fed by API pages (older) and the live stream (newer), deduplicated
 * and bounded.
 */
import { parseSeverity, severityName, SEVERITY, type LogQuery, type LogRecord } from '@debugpanel/model';
import { LEVELS } from './trace-logs.js';

/** The filters the Logs view keeps in its hash (`#/logs?service=&severity=&text=&traceId=&spanId=`). */
export const LOG_FILTERS = ['service', 'severity', 'text', 'traceId', 'spanId'] as const;
export type LogFilter = (typeof LOG_FILTERS)[number];
/** The shared time window (lib/context.ts) the Logs view applies: `since`/`until`, ms since epoch. */
export const LOG_TIME = ['since', 'until'] as const;

/** Hard cap on records kept in the page, whatever the stream sends or the reader pages back. */
export const MAX_LOG_ROWS = 2000;
/** Records waiting while the tail is paused (or scrolled away from the top); past it the oldest go. */
export const MAX_PENDING_LOGS = 1000;
/** Records per API page. */
export const LOG_PAGE = 200;

/**
 * The hash's filters as a `LogQuery` (for the live tail's matcher) and as the API's parameters.
 * The server is the one validator (`parseLogQuery`): its 400 message is what a bad link shows;
 * this only reads. (Importing the parser would put it in the first-load bundle: every model
 * module the barrel reaches lands in the shared chunk.) A severity that is neither a number nor
 * a name sets `error`, as the server would refuse it.
 *
 * @example
 * readLogFilters(new URLSearchParams('severity=warn&service=orders'));
 * // { query: { service: 'orders', severity: 13 }, params: 'service=orders&severity=warn' }
 */
export function readLogFilters(params: URLSearchParams): { query: LogQuery; params: string; error?: string } {
  const picked = new URLSearchParams();
  const query: LogQuery = {};
  let error: string | undefined;
  // A trace id wins over the shared context's service and window (lib/context.ts): the trace's
  // logs are every service's. Both stay in the hash for the next view.
  const byTrace = !!params.get('traceId')?.trim();
  for (const key of LOG_FILTERS) {
    const v = params.get(key)?.trim();
    if (!v || (byTrace && key === 'service')) continue;
    picked.set(key, v);
    if (key !== 'severity') query[key] = v;
    else if ((query.severity = parseSeverity(v)) === undefined) error = `severity must be a number from 1 to 24 or a name like warn or error, got "${v.slice(0, 40)}"`;
  }
  // The shared window: ms since epoch; the server refuses what is not a number, so only numbers pass.
  for (const key of LOG_TIME) {
    const v = params.get(key)?.trim();
    if (!v || byTrace) continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) continue;
    picked.set(key, v);
    query[key] = n;
  }
  return error ? { query, params: picked.toString(), error } : { query, params: picked.toString() };
}

/** `api/logs?...` for the view's filter (`readLogFilters().params`): a page of `limit`, older than `cursor` or up to `until`. */
export function logsPath(filter: string, o: { cursor?: string | undefined; until?: number | undefined; limit?: number } = {}): string {
  const q = new URLSearchParams(filter);
  if (o.until !== undefined) q.set('until', String(o.until));
  q.set('limit', String(o.limit ?? LOG_PAGE));
  if (o.cursor) q.set('cursor', o.cursor);
  return `api/logs?${q.toString()}`;
}

/** The hash parameters of the Logs view for a query (empty filters left out, severity by name). */
export function logFilterParams(query: LogQuery): Record<LogFilter, string | undefined> {
  return {
    service: query.service,
    severity: query.severity === undefined ? undefined : severityName(query.severity).toLowerCase(),
    text: query.text,
    traceId: query.traceId,
    spanId: query.spanId,
  };
}

/** The severity menu: "any", then each range by its lowest number ("warn" = WARN and worse). */
export const SEVERITY_OPTIONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: '', label: 'any' },
  ...LEVELS.map((l) => ({ value: l, label: `${l.toUpperCase()}+` })),
];

/**
 * The menu value for the hash's `severity` (a number or a name, any case): so a link's
 * `severity=13`, `WARN` or `warning` all show "WARN+". A severity inside a range (`14`, `warn2`)
 * has no entry of its own: its name is returned and the view adds it as an option.
 *
 * @example
 * severityOption('17');      // 'error'
 * severityOption('warning'); // 'warn'
 * severityOption('14');      // 'warn2'
 */
export function severityOption(v: string | null | undefined): string {
  const n = v ? parseSeverity(v.trim()) : undefined;
  return n === undefined ? '' : severityName(n).toLowerCase();
}

/** True when a severity number is the start of an OTel range (a menu entry of its own). */
export function isRangeStart(n: number): boolean {
  return (Object.values(SEVERITY) as number[]).includes(n);
}

/**
 * Identity of a record for deduplication: records carry no id, so a record that came both in the
 * first page and on the stream (it was stored while the page was being fetched) is known by its
 * time (ms, float: sub-ms resolution), span, service, severity and body. Two records equal in all
 * of these are shown once; they would read the same anyway.
 */
export function logKey(r: LogRecord): string {
  return `${r.time}|${r.spanId ?? ''}|${r.service}|${r.severityNumber}|${r.body.length}|${r.body.slice(0, 80)}`;
}

export interface LogList {
  /** Newest first */
  rows: LogRecord[];
  /** Cursor for the next older page; undefined when the API said there is none */
  nextCursor: string | undefined;
  /** Older rows were dropped from the tail (the stream pushed them out): page on by `until` */
  tailTrimmed: boolean;
  /** Newer rows were dropped from the head while paging back */
  headTrimmed: boolean;
}

export function emptyLogList(): LogList {
  return { rows: [], nextCursor: undefined, tailTrimmed: false, headTrimmed: false };
}

/**
 * Newest first by the record's time. The store pages by arrival, and a hub receives other
 * services' lines a batch (about a second) late, so arrival order would show a request's lines
 * out of the order they were written; the list keeps time order whatever the source.
 */
const byTimeDesc = (a: LogRecord, b: LogRecord) => b.time - a.time;

/** Appends an older page, dropping records already shown, in time order; over the cap the newest go. */
export function appendOlderLogs(list: LogList, page: readonly LogRecord[], nextCursor: string | undefined, cap = MAX_LOG_ROWS): LogList {
  const seen = new Set(list.rows.map(logKey));
  const rows = list.rows.concat(page.filter((r) => !seen.has(logKey(r)))).sort(byTimeDesc);
  const over = rows.length - cap;
  return { rows: over > 0 ? rows.slice(over) : rows, nextCursor, tailTrimmed: false, headTrimmed: list.headTrimmed || over > 0 };
}

/**
 * Puts streamed records (oldest first, as `log` events carry them) into the list by time (on top,
 * unless a hub got them late), leaving out those already shown; over the cap the oldest rows go
 * and paging on switches to `until`.
 *
 * @example
 * list = prependLiveLogs(list, pending.take());
 */
export function prependLiveLogs(list: LogList, incoming: readonly LogRecord[], cap = MAX_LOG_ROWS): LogList {
  if (incoming.length === 0) return list;
  // Only the newest `cap` rows are looked at for duplicates: a stream batch overlaps the first page, not old pages.
  const seen = new Set<string>();
  for (let i = 0; i < Math.min(list.rows.length, cap); i++) seen.add(logKey(list.rows[i]!));
  const top: LogRecord[] = [];
  for (let i = incoming.length - 1; i >= 0; i--) {
    const r = incoming[i]!;
    const k = logKey(r);
    if (seen.has(k)) continue;
    seen.add(k);
    top.push(r);
  }
  if (top.length === 0) return list;
  const rows = top.concat(list.rows).sort(byTimeDesc);
  const over = rows.length - cap;
  return { rows: over > 0 ? rows.slice(0, cap) : rows, nextCursor: list.nextCursor, tailTrimmed: list.tailTrimmed || over > 0, headTrimmed: list.headTrimmed };
}

/** Where the next older page starts (`logsPath` options), or undefined when there is none. */
export function olderLogsPage(list: LogList): { cursor?: string; until?: number } | undefined {
  if (list.tailTrimmed) {
    const last = list.rows[list.rows.length - 1];
    // `until` is inclusive: the last row comes again and is dropped as a duplicate.
    return last ? { until: last.time } : undefined;
  }
  return list.nextCursor ? { cursor: list.nextCursor } : undefined;
}

/**
 * Streamed records waiting to join the list (paused, or scrolled down), oldest first, bounded:
 * past `cap` the oldest go and are counted. Each batch is judged against the view's filter first.
 */
export class PendingLogs {
  readonly #match: (r: LogRecord) => boolean;
  readonly #cap: number;
  #rows: LogRecord[] = [];
  dropped = 0;

  constructor(match: (r: LogRecord) => boolean, cap = MAX_PENDING_LOGS) {
    this.#match = match;
    this.#cap = cap;
  }

  get size(): number {
    return this.#rows.length;
  }

  /** Takes one `log` event's records; returns how many matched. */
  offer(batch: readonly LogRecord[]): number {
    let n = 0;
    for (const r of batch) {
      if (!this.#match(r)) continue;
      this.#rows.push(r);
      n++;
    }
    const over = this.#rows.length - this.#cap;
    if (over > 0) {
      this.#rows.splice(0, over);
      this.dropped += over;
    }
    return n;
  }

  /** Everything waiting, oldest first; the buffer is empty afterwards. */
  take(): LogRecord[] {
    const out = this.#rows;
    this.#rows = [];
    return out;
  }
}
