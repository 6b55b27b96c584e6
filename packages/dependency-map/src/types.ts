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
}

export interface DependencyMap {
  nodes: MapNode[];
  edges: MapEdge[];
}

export interface DependencyMapOptions {
  /** Share of failed calls that must take the caller down for the edge to be `hard`. Default 0.5. */
  hardThreshold?: number;
  /** Trace ids kept per edge. Default 5, at most 100. */
  maxTraceIdsPerEdge?: number;
}
