/**
 * Trace summaries and trace queries: what `SpanStore.query()` takes and returns, and what
 * `GET {path}/api/traces` serves. The URL form of a query is in `api/traces.ts`.
 */
export interface TraceSummary {
  traceId: string;
  /** Name of the root span (or of the earliest span when the root is not (yet) here) */
  rootName: string;
  /** Service of that span */
  rootService: string;
  /** Distinct services seen in the trace, in order of first appearance */
  services: string[];
  /** ms since epoch of the earliest span */
  startTime: number;
  /** ms from the earliest start to the latest end */
  duration: number;
  spanCount: number;
  errorCount: number;
  /** `http.route` of the root span, when it has one */
  route?: string;
  /** HTTP status of the root span (`httpStatusOf`: `http.response.status_code`, else `http.status_code`), when it has one */
  httpStatus?: number;
  /** Why sampling kept this trace (`all`, `error`, `slow`, `sampled`, `pinned`, ...), when known */
  reason?: string;
  /** Pinned traces are skipped by eviction */
  pinned?: boolean;
}

export type TraceStatusFilter = 'error' | 'ok';

export interface TraceQuery {
  /** Traces with at least one span of this service */
  service?: string;
  /** Traces with at least one span of exactly this name */
  name?: string;
  /**
   * Traces whose root `http.route` is this template; with `service` set to another service than the
   * root's, also those where a server span of that service has it (orders' `/products/:id` behind
   * the gateway's root, in a hub)
   */
  route?: string;
  /** `error`: at least one error span; `ok`: none */
  status?: TraceStatusFilter;
  /** Trace duration bounds, ms, inclusive */
  minDuration?: number;
  maxDuration?: number;
  /** Every key must equal (as a string) the attribute of at least one span of the trace */
  attributes?: Record<string, string>;
  /** Case-insensitive substring of a span name, an attribute value, or the trace id */
  text?: string;
  /**
   * The root span's HTTP status (what the request answered): comma-separated classes and exact
   * codes, `5xx`, `4xx,5xx`, `404`. A server's 4xx is not an error (see `isErrorSpan`), so
   * `status=error` and `httpStatus=4xx` ask different questions.
   */
  httpStatus?: string;
  /** Sampling reason */
  reason?: string;
  /** Trace start bounds, ms since epoch, inclusive */
  since?: number;
  until?: number;
  /** Page size (default 50, at most 1000) */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor` */
  cursor?: string;
}

export interface TraceQueryResult {
  /** Newest first */
  traces: TraceSummary[];
  /** Pass as `cursor` for the next (older) page; absent on the last page */
  nextCursor?: string;
}

export const DEFAULT_QUERY_LIMIT = 50;
export const MAX_QUERY_LIMIT = 1000;

/**
 * Whether a trace summary matches a query: `true` or `false` when the summary decides it,
 * `undefined` when it cannot (a span name other than the root's, attributes, or text that lives in
 * spans the summary does not carry). The same rules as the store's filters, so a client can judge
 * streamed summaries (the UI's live list and its "N new" count) as the store would. `limit` and
 * `cursor` are paging, not filters, and are ignored.
 *
 * @example
 * summaryMatches(summary, { service: 'orders', status: 'error' }); // true | false
 * summaryMatches(summary, { text: 'timeout' });                    // true when the id or root name has it, else undefined
 */
export function summaryMatches(t: TraceSummary, q: TraceQuery): boolean | undefined {
  if (q.service && !t.services.includes(q.service)) return false;
  // Another service's route (orders' behind the gateway's root) is in that service's spans.
  const routeElsewhere = !!q.route && t.route !== q.route && !!q.service && t.rootService !== q.service;
  if (q.route && t.route !== q.route && !routeElsewhere) return false;
  if (q.status === 'error' && t.errorCount === 0) return false;
  if (q.status === 'ok' && t.errorCount > 0) return false;
  if (q.minDuration !== undefined && t.duration < q.minDuration) return false;
  if (q.maxDuration !== undefined && t.duration > q.maxDuration) return false;
  if (q.reason && t.reason !== q.reason) return false;
  if (q.httpStatus) {
    const f = parseHttpStatusFilter(q.httpStatus);
    if (typeof f === 'string' || !httpStatusIn(t.httpStatus, f)) return false;
  }
  if (q.since !== undefined && t.startTime < q.since) return false;
  if (q.until !== undefined && t.startTime > q.until) return false;
  let unknown = routeElsewhere;
  // The root's name is one span's name: a match decides; a miss leaves the other spans unknown.
  if (q.name && t.rootName !== q.name) unknown = true;
  if (q.text) {
    const text = q.text.toLowerCase();
    if (!t.traceId.toLowerCase().includes(text) && !t.rootName.toLowerCase().includes(text)) unknown = true;
  }
  if (q.attributes && Object.keys(q.attributes).length > 0) unknown = true;
  return unknown ? undefined : true;
}

/** True when `summaryMatches` never answers "cannot tell" for this query. */
export function summaryDecides(q: TraceQuery): boolean {
  return !q.text && (!q.attributes || Object.keys(q.attributes).length === 0) && !q.name && !(q.route && q.service);
}

/**
 * A trace filter on the root span's HTTP status (what the request answered): comma-separated
 * classes and exact codes, `5xx`, `4xx,5xx`, `404`, `404,409`. Parsed once per query.
 */
export interface HttpStatusFilter {
  /** Hundreds digits of the classes asked for (`5` for `5xx`) */
  classes: number[];
  codes: number[];
}

/** Most terms in one `httpStatus` filter. */
export const MAX_HTTP_STATUS_TERMS = 20;

/**
 * Parses an `httpStatus` filter, or returns why it is bad (for a 400 that says what to send).
 *
 * @example
 * parseHttpStatusFilter('5xx,404'); // { classes: [5], codes: [404] }
 * parseHttpStatusFilter('5x');      // 'httpStatus terms are a class like 5xx or a code like 404, got "5x"'
 */
export function parseHttpStatusFilter(spec: string): HttpStatusFilter | string {
  const terms = spec.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
  if (terms.length === 0) return 'httpStatus must name a class like 5xx or a code like 404';
  if (terms.length > MAX_HTTP_STATUS_TERMS) return `httpStatus takes at most ${MAX_HTTP_STATUS_TERMS} terms`;
  const f: HttpStatusFilter = { classes: [], codes: [] };
  for (const t of terms) {
    if (/^[1-5]xx$/.test(t)) f.classes.push(Number(t[0]));
    else if (/^[1-5][0-9]{2}$/.test(t)) f.codes.push(Number(t));
    else return `httpStatus terms are a class like 5xx or a code like 404 (100 to 599), got "${t.slice(0, 20)}"`;
  }
  return f;
}

/**
 * True when `code` (a root span's HTTP status; undefined without one) is in the filter.
 *
 * @example
 * httpStatusIn(502, { classes: [5], codes: [] }); // true
 */
export function httpStatusIn(code: number | undefined, f: HttpStatusFilter): boolean {
  if (code === undefined) return false;
  return f.codes.includes(code) || f.classes.includes(Math.floor(code / 100));
}
