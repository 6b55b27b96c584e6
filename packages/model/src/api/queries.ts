/**
 * Database query insights (`@debugpanel/queries`): statistics per statement fingerprint and the
 * detectors' findings (N+1 queries, consecutive independent queries, slow queries, N+1 HTTP).
 */

/** What a detector found. */
export type FindingKind = 'n+1' | 'consecutive' | 'slow-query' | 'n+1-http';

/** How the repeat count of an N+1 behaves across the requests of its route. */
export type RepeatPattern =
  /** it varies with the data: a loop over rows (the classic N+1) */
  | 'loop'
  /** the same count in every request seen (at least 3): a fixed fan-out, cheaper to batch but not growing */
  | 'fan-out'
  /** fewer than 3 requests seen so far */
  | 'unknown';

/** One finding inside one trace (on `GET {path}/api/traces/:id` as `findings`). */
export interface TraceFinding {
  kind: FindingKind;
  /** The local root span (the request) the finding is under */
  rootSpanId: string;
  /** Route of that request: the local root's name (`GET /api/products`) */
  route: string;
  service: string;
  /** The parent span of the repeated or consecutive spans */
  parentSpanId?: string;
  /** The spans involved, in start order (bounded to 200) */
  spanIds: string[];
  /** Query fingerprint id (database kinds) */
  fingerprint?: string;
  /** Normalised statement (database kinds) or `GET host/path/:id` (n+1-http) */
  statement?: string;
  /** The app's `file:line` that issued the calls, when a stack was captured */
  callSite?: string;
  /** Number of spans */
  count: number;
  /** Sum of the spans' durations, ms */
  totalMs: number;
  /** What running them in parallel (consecutive) or as one batched call (n+1) would save, ms */
  savingMs: number;
  /** Share of the request's duration the spans cover (wall time of their union / root duration), 0..1 */
  share: number;
  /** True when the repeated spans overlap in time (`Promise.all`) */
  parallel: boolean;
  /** One line for people */
  summary: string;
}

/** A finding aggregated across requests, keyed by kind, service, route, fingerprint and call site. */
export interface Finding {
  /** Stable id: a hash of the key */
  id: string;
  kind: FindingKind;
  service: string;
  route: string;
  fingerprint?: string;
  statement?: string;
  callSite?: string;
  /** Requests (traces) in which it was found */
  requests: number;
  /** Requests of that route seen since the finding was first seen */
  routeRequests: number;
  /** Repeats (spans) per request where found: smallest, largest and mean */
  repeats: { min: number; max: number; mean: number };
  pattern: RepeatPattern;
  parallel: boolean;
  /** Time of the finding's spans summed over those requests, ms */
  totalMs: number;
  /** `totalMs` over the summed duration of the route's requests since first seen, 0..1 */
  timeShare: number;
  /** Summed `savingMs` of its trace findings, ms */
  savingMs: number;
  /** Newest first, at most 5 */
  exampleTraceIds: string[];
  /** ms since epoch */
  firstSeen: number;
  lastSeen: number;
  /** `src/db/inventory.ts:42 runs 21 queries per request in GET /api/products (340 requests, 38% of that route's time)` */
  summary: string;
}

/** One route that runs a query. */
export interface QueryRouteStat {
  route: string;
  /** Queries it ran */
  count: number;
  /** Requests of this route that ran it */
  requests: number;
  /** Time of this query in those requests, ms */
  totalMs: number;
  /** `totalMs` over the summed duration of the route's requests that ran it, 0..1 */
  share: number;
}

/** An app source location that issued a query (source-mapped to TypeScript where a map exists). */
export interface QueryCallSite {
  /** `src/db/inventory.ts:42` (relative to the working directory when under it) */
  callSite: string;
  /** Sampled calls seen from there */
  count: number;
}

export interface QueryExample {
  traceId: string;
  spanId: string;
  durationMs: number;
  /** ms since epoch */
  startTime: number;
}

/** Statistics of one fingerprint in one service. */
export interface QueryStat {
  fingerprint: string;
  service: string;
  /** `db.system.name`: postgresql, mysql, mariadb, sqlite */
  system: string;
  /** `db.namespace`, when the spans say */
  namespace?: string;
  /** Normalised statement */
  statement: string;
  operation?: string;
  collection?: string;
  count: number;
  errors: number;
  /** Summed `db.response.returned_rows` where the driver reports it */
  rows: number;
  totalMs: number;
  /** Percentiles from a log-bucketed histogram (within 2.5%), ms */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Time of this query over the summed duration of the requests that ran it, 0..1 */
  share: number;
  /** Top routes by time, at most 10 */
  routes: QueryRouteStat[];
  /** Top call sites by count, at most 5 */
  callSites: QueryCallSite[];
  /** The slowest call seen, and a typical one (near the median) */
  slowest?: QueryExample;
  typical?: QueryExample;
  /** Per-minute counts and summed ms, oldest first, the last `series.count.length` minutes */
  series: { bucketMs: number; start: number; count: number[]; totalMs: number[] };
  firstSeen: number;
  lastSeen: number;
}

export type QuerySort = 'total' | 'p95' | 'count';
export const QUERY_SORTS: readonly QuerySort[] = ['total', 'p95', 'count'];

/** `GET {path}/api/queries?sort=total|p95|count&limit=N&service=S` */
export interface QueriesResponse {
  sort: QuerySort;
  /** Fingerprints known (before `limit` and `service`) */
  total: number;
  queries: QueryStat[];
}

/** `GET {path}/api/queries/:fingerprint`: the fingerprint in each service that ran it, and its findings */
export interface QueryDetailResponse {
  fingerprint: string;
  queries: QueryStat[];
  findings: Finding[];
}

/** `GET {path}/api/findings?kind=K&service=S` */
export interface FindingsResponse {
  findings: Finding[];
  /** The detectors' thresholds in force */
  thresholds: DetectorThresholds;
}

/** Every detector threshold (the `queries.detectors` option takes any subset). */
export interface DetectorThresholds {
  /** N+1 DB: at least this many same-fingerprint sibling queries under one parent */
  nPlusOneMinRepeats: number;
  /** ... taking at least this long in all (ms) ... */
  nPlusOneMinTotalMs: number;
  /** ... or at least this share of their request's duration (fast embedded databases), 0..1 */
  nPlusOneMinShare: number;
  /** Consecutive: sequential independent SELECTs whose parallel run saves at least this (ms) ... */
  consecutiveMinSavingMs: number;
  /** ... and at least this share of the request's duration, 0..1 */
  consecutiveMinSavingShare: number;
  /** Slow query: one that takes at least this long (ms) ... */
  slowQueryMs: number;
  /** ... or at least `slowQueryMinMs` and this share of its request's duration, 0..1 */
  slowQueryShare: number;
  slowQueryMinMs: number;
  /** N+1 HTTP: at least this many same-route GETs under one parent ... */
  nPlusOneHttpMinRepeats: number;
  /** ... starting within this window of one another (ms) ... */
  nPlusOneHttpWindowMs: number;
  /** ... taking at least this long in all (ms) */
  nPlusOneHttpMinTotalMs: number;
}

/** `queries` section of `GET {path}/api/stats` */
export interface QueriesStats {
  /** Local-root traces analysed */
  tracesAnalysed: number;
  /** Traces waiting for analysis */
  queued: number;
  /** Traces not analysed because the queue was full */
  droppedTraces: number;
  /** Database spans seen */
  querySpans: number;
  fingerprints: number;
  /** Fingerprints not tracked because the table was full */
  droppedFingerprints: number;
  findings: number;
  /** Findings not tracked because the table was full */
  droppedFindings: number;
  /** Routes not tracked (per-query or route table full) */
  droppedRoutes: number;
  /** Fingerprint cache (by statement text) */
  cacheHits: number;
  cacheMisses: number;
  cacheEvicted: number;
  /** Call sites resolved (source-mapped) and those that could not be */
  callSitesResolved: number;
  callSitesUnresolved: number;
  /** Errors caught while analysing */
  errors: number;
}
