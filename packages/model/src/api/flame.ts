/**
 * Flame graphs and critical paths: `GET {path}/api/traces/:traceId/flame`,
 * `GET {path}/api/traces/:traceId/critical-path` and `GET {path}/api/flame?route=...` (the merged
 * flame of a route's recent traces). CPU-profile flames (`profiles.ts`) use the same nodes.
 *
 * Flame trees travel as flat lists (`Flat<T>`: depth-first, a parent before its children, each node
 * naming its parent's index), since `JSON.stringify` cannot nest a trace thousands of spans deep.
 */

/**
 * The flame tree shared by trace flames, CPU profiles and (with extra statistics) merged flames.
 * Times are milliseconds; a node's width is its `total`.
 */
export interface FlameNode {
  name: string;
  /** Service of the span; for CPU profiles the origin of the code (`app`, `node`, `v8` or a package name) */
  service: string;
  /** ms: the span's duration, or the time of every sample under a CPU profile node */
  total: number;
  /** ms: `total` minus the time covered by children (overlapping children are counted once) */
  self: number;
  /** ms from the start of the tree's root; trace flames only, for drawing as a flame chart */
  start?: number;
  /** Trace flames: the span this node shows */
  spanId?: string;
  /** Trace flames: the span is an error span */
  error?: boolean;
  /** The node stands for no span: the synthetic root that holds several roots or orphans */
  synthetic?: boolean;
  /** CPU profiles: `url:line:column` of the function (1-based) */
  source?: string;
  children: FlameNode[];
}

/** A node of a merged flame: the same path of span names (and services) across many traces. */
export interface MergedFlameNode {
  name: string;
  service: string;
  /** Spans merged into this node */
  count: number;
  /** Traces that have at least one span on this path */
  traces: number;
  /** ms, summed over the merged spans */
  total: number;
  /** ms, summed over the merged spans */
  self: number;
  /** ms: total / count, the duration of a typical span on this path */
  mean: number;
  /** ms: 95th percentile of the merged spans' durations (nearest rank) */
  p95: number;
  children: MergedFlameNode[];
}

/** A tree node without its children, and the index of its parent in the flat list (-1 for the root). */
export type Flat<T> = Omit<T, 'children'> & { parent: number };

/** One stretch of the critical path: a span that was what the trace waited on from `start` to `end`. */
export interface CriticalPathSegment {
  spanId: string;
  name: string;
  service: string;
  /** ms since epoch */
  start: number;
  /** ms since epoch */
  end: number;
  /** ms: end - start, this span's self time on the path */
  duration: number;
}

/** `GET {path}/api/traces/:traceId/flame` */
export interface TraceFlameResponse {
  traceId: string;
  flame: Array<Flat<FlameNode>>;
}

/** `GET {path}/api/traces/:traceId/critical-path` */
export interface CriticalPathResponse {
  traceId: string;
  /** In time order; durations add up to the root span's duration */
  segments: CriticalPathSegment[];
  /** ms on the path per span id */
  bySpan: Record<string, number>;
}

/** Query of `GET {path}/api/flame`: the newest `limit` traces of `route` (and `service`) in the time range. */
export interface MergedFlameParams {
  route: string;
  service?: string;
  /** Traces merged, 1 to 1,000 (default 200) */
  limit?: number;
  /** Trace start bounds, ms since epoch */
  since?: number;
  until?: number;
}

/** The query keys `GET {path}/api/flame` knows; others are refused. */
export const MERGED_FLAME_PARAMS = ['route', 'service', 'limit', 'since', 'until'] as const satisfies ReadonlyArray<keyof MergedFlameParams>;

/** `GET {path}/api/flame?route=...` */
export interface MergedFlameResponse {
  route: string;
  service?: string;
  /** Traces merged (newest first, at most `limit`) */
  traces: number;
  /** True when matching traces were left out (by `limit`, or beyond 200,000 spans in all) */
  truncated: boolean;
  flame: Array<Flat<MergedFlameNode>>;
}
