/**
 * The service dependency map: `GET {path}/api/dependencies?since=&until=`, counted from the
 * client/server span pairs of every span the panel received in the window (an incremental map in
 * one-minute buckets, not a read of the stored traces).
 */

/** Latency percentiles in ms. */
export interface LatencyQuantiles {
  p50: number;
  p95: number;
  p99: number;
}

/**
 * `service`: a process that records spans (or one named by `peer.service` that does not, then
 * `instrumented: false`); `database` and `external`: virtual nodes named by a client span's
 * attributes; `user`: whoever sent requests that arrived with no caller span.
 */
export type MapNodeKind = 'service' | 'database' | 'external' | 'user';

export interface MapNode {
  /** `svc:<service>`, `db:<system>:<name>`, `ext:<host[:port]>` or `user` */
  id: string;
  /** Service name, `user`, or a virtual node's name from model's `calleeOf` (`sqlite orders.db`, `kafka orders`, a host) */
  name: string;
  kind: MapNodeKind;
  /** True when spans recorded by this node were seen (services); false for virtual nodes */
  instrumented: boolean;
  /** Databases: `db.system.name` / `db.system` (e.g. `sqlite`, `postgresql`) */
  system?: string;
  /** Requests the node handled: its server/consumer spans, or the calls made to a virtual node */
  requests: number;
  errors: number;
  latency: LatencyQuantiles;
}

/** How a caller fared when a call on this edge failed. */
export type FailureImpact = 'hard' | 'soft' | 'unknown';

export interface MapEdge {
  /** `<source>-><target>` */
  id: string;
  source: string;
  target: string;
  requests: number;
  /** Calls where the client or the server span is an error span */
  errors: number;
  /** Of the client spans (of the server spans for edges from `user`) */
  latency: LatencyQuantiles;
  /**
   * Failed calls whose caller's entry span (its nearest server/consumer span in the same service)
   * failed too (`hard`) or succeeded anyway (`soft`): retries, fallbacks, caught errors.
   */
  failures: { hard: number; soft: number };
  /** `hard` when at least `hardThreshold` of the failed calls took the caller down; `unknown` with no failures seen */
  impact: FailureImpact;
  /** A few recent trace ids that used the edge, newest first */
  traceIds: string[];
  /**
   * Edges from `user` only: of `requests`, the server spans that name a parent span the map did not
   * have, i.e. a caller that had not reported yet (in a hub, another process's spans arrive over
   * OTLP a moment later) or never will (an uninstrumented caller that passed trace context). The
   * rest had no parent at all: requests from outside. Absent when none.
   */
  callerNotSeen?: number;
}

export interface DependencyMap {
  nodes: MapNode[];
  edges: MapEdge[];
}

/** "If this node fails, what else fails": node ids upstream of it. */
export interface FailureReach {
  /** Nodes that failed with it as observed: reached through `hard` edges only, nearest first */
  fails: string[];
  /** Nodes that may fail with it: reached only through edges with no observed failure (`unknown`) */
  mayFail: string[];
}

/** Query of `GET {path}/api/dependencies`. */
export interface DependenciesParams {
  /** Trace start bounds, ms since epoch */
  since?: number;
  until?: number;
  /**
   * Newest stored traces read, 1 to 10,000 (default 2,000): only where the panel has no
   * incremental map (a bare route over a store); the panel's map counts every span of the window
   */
  limit?: number;
}

/** The query keys `GET {path}/api/dependencies` knows; others are refused. */
export const DEPENDENCIES_PARAMS = ['since', 'until', 'limit'] as const satisfies ReadonlyArray<keyof DependenciesParams>;

/** `GET {path}/api/dependencies` */
export interface DependenciesResponse extends DependencyMap {
  /** Traces the map was counted from */
  traces: number;
  /** Spans the map was counted from (every span of the window, sampled out or not) */
  spans?: number;
  /**
   * True when part of the window is not counted: it reaches before the map's oldest bucket (an
   * hour back by default), or (reading stored traces) traces beyond `limit` or 200,000 spans
   */
  truncated: boolean;
  /** Start of the first one-minute bucket counted and end of the last (ms since epoch): the window as counted */
  from?: number;
  to?: number;
  /** Per node id: what fails with it, so a client can show it on selection */
  failsWith: Record<string, FailureReach>;
  since?: number;
  until?: number;
}

/** The panel's incremental dependency map (`dependencies` in `GET {path}/api/stats`). */
export interface DependencyMapStats {
  /** Traces and spans waiting for the other side of their calls (bounded by `maxPendingSpans`) */
  pendingTraces: number;
  pendingSpans: number;
  /** Spans counted into the map */
  processedSpans: number;
  /** Spans counted before their wait ended because the pending bound was reached */
  flushedEarly: number;
  /** Malformed spans, plus calls not counted because a bucket's node or edge limit was reached */
  dropped: number;
  /** One-minute buckets held, and those forgotten (the oldest, past the bound) */
  buckets?: number;
  expiredBuckets?: number;
  /** Spans of traces older than every bucket held, not counted */
  tooOld?: number;
}
