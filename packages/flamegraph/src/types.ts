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

/** A node of `mergeFlames`: the same path of span names (and services) across many traces. */
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
