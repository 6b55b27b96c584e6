/**
 * Trace summaries and trace queries: what `SpanStore.query()` takes and returns, and what
 * `GET {path}/api/traces` serves. The URL form of a query is in `api.ts`.
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
  /** Traces whose root `http.route` is this template */
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
