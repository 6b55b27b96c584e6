/**
 * Golden signals: `GET {path}/api/metrics` (chart series of one service, route or dependency) and
 * `GET {path}/api/metrics/table` (one row per route or dependency). `GET {path}/metrics` is
 * Prometheus text, not JSON.
 */

/** `server`: a route's requests; `client`: calls to a dependency. */
export type SeriesKind = 'server' | 'client';

export interface SeriesLabels {
  kind: SeriesKind;
  service: string;
  /** server: `http.request.method` */
  method?: string;
  /** server: `http.route` template, `unmatched`, or `other` when folded */
  route?: string;
  /** client: `sqlite orders.db`, `inventory:3002`, ... or `other` when folded */
  dependency?: string;
  /** client: `db`, `http` or `other` */
  type?: string;
}

/** The process's saturation signals over one period. */
export interface ProcessSample {
  /** event-loop delay over the period, ms */
  eventLoopDelayP50: number;
  eventLoopDelayP99: number;
  eventLoopDelayMax: number;
  /** event-loop utilization over the period, 0..1 */
  eventLoopUtilization: number;
  /** process CPU time over wall time, 0..cores */
  cpu: number;
  heapUsed: number;
  heapTotal: number;
  rss: number;
  /** GC pause time in the period, ms */
  gcPause: number;
  /** handles and requests keeping the loop alive */
  activeResources: number;
}

/** Every field of `ProcessSample`, in the order the API and the UI list them. */
export const PROCESS_FIELDS = [
  'eventLoopDelayP50',
  'eventLoopDelayP99',
  'eventLoopDelayMax',
  'eventLoopUtilization',
  'cpu',
  'heapUsed',
  'heapTotal',
  'rss',
  'gcPause',
  'activeResources',
] as const satisfies ReadonlyArray<keyof ProcessSample>;

/** One label set's values per time slot (aligned with `MetricsResponse.times`). */
export interface SeriesPoints {
  labels: SeriesLabels;
  /** requests per second */
  rate: number[];
  count: number[];
  errors: number[];
  /** errors / count, 0 when no requests */
  errorRate: number[];
  p50: number[];
  p95: number[];
  p99: number[];
  max: number[];
  /** trace id of the slowest request of each slot: the exemplar a chart click opens */
  exemplars: Array<string | null>;
}

/** Query of `GET {path}/api/metrics`. */
export interface MetricsParams {
  /** `server` (default: routes) or `client` (dependencies) */
  kind?: SeriesKind;
  service?: string;
  /** server: one route; without it, the whole service (every route together) */
  route?: string;
  /** client: one dependency; without it, every dependency of the service */
  dependency?: string;
  /** Seconds (`300`) or a duration (`90s`, `5m`, `6h`), from 1 s to the coarse window; default 5m */
  window?: string;
}

/** The query keys `GET {path}/api/metrics` knows; others are refused. */
export const METRICS_PARAMS = ['kind', 'service', 'route', 'dependency', 'window'] as const satisfies ReadonlyArray<keyof MetricsParams>;

/** `GET {path}/api/metrics` */
export interface MetricsResponse {
  /** seconds per point */
  resolution: number;
  /** ms since epoch of the start of each point */
  times: number[];
  series: SeriesPoints[];
  /** Absent when the server samples no process signals */
  process?: Record<keyof ProcessSample, number[]>;
}

/** Query of `GET {path}/api/metrics/table`. */
export interface MetricsTableParams {
  kind?: SeriesKind;
  service?: string;
  /** seconds (default 300) */
  window?: string;
  /** ms since epoch: the window ends here instead of now (a range selected on a chart) */
  until?: string;
}

/** One route or dependency over the window. */
export interface RouteRow {
  labels: SeriesLabels;
  count: number;
  errors: number;
  errorRate: number;
  /** requests per second over the window */
  rate: number;
  /** percentiles over the window, ms: `max` exact, p50/p95/p99 the count-weighted quantile of the periods' own (approximate) */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** p99 per fine slot over the last minute, for a sparkline */
  spark: number[];
}

/** `GET {path}/api/metrics/table` */
export interface MetricsTableResponse {
  kind: SeriesKind;
  /** seconds */
  window: number;
  rows: RouteRow[];
}

/** The `metrics` section of `GET {path}/api/stats`. */
export interface MetricsStats {
  series: { server: number; client: number; services: number };
  maxSeries: number;
  /** spans whose label set was new while its metric was at `maxSeries`, counted under `other` */
  foldedSpans: number;
  recordedSpans: number;
  bytes: number;
}
