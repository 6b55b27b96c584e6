/**
 * Sampling: `GET {path}/api/sampling` (the head sampler and the tail policies in force, with the tail
 * sampler's counters) and pinning, `POST` / `DELETE {path}/api/traces/:traceId/pin`.
 */

/** The tail policies as JSON: regular expressions become their `/source/flags` text. */
export interface TailPoliciesJson {
  drop?: { routes?: string[]; names?: string[] };
  error?: boolean;
  latency?: { thresholdMs?: number; aboveRouteP99?: boolean; minSamples?: number };
  attributes?: Array<{ key: string; equals?: string | number | boolean; matches?: string }>;
  probabilistic?: number;
  rate?: { perRoute?: number; global?: number };
}

/** The tail sampler's configuration in force. */
export interface TailSamplerDescription {
  /** `all` keeps everything unbuffered; `policies` buffers each trace and decides */
  mode: 'all' | 'policies';
  /** Empty in `all` mode */
  policies: TailPoliciesJson;
  /** The order policies are evaluated in; the first that decides names the reason */
  order: string[];
  graceMs: number;
  maxAgeMs: number;
  maxPendingTraces: number;
  maxSpansPerTrace: number;
  decisionCacheSize: number;
}

/** The tail sampler's counters (also the `sampling` section of `GET {path}/api/stats`). */
export interface TailSamplerStats {
  mode: 'all' | 'policies';
  seenSpans: number;
  /** Traces started (in `all` mode: local root spans seen) */
  seenTraces: number;
  keptTraces: number;
  keptSpans: number;
  /** Kept traces per reason */
  kept: Record<string, number>;
  droppedTraces: number;
  droppedSpans: number;
  /** Dropped traces per reason */
  dropped: Record<string, number>;
  /** Spans that arrived after their trace was decided and followed the decision */
  lateSpansKept: number;
  lateSpansDropped: number;
  pending: number;
  pendingSpans: number;
  /** Oldest pending traces decided early because `maxPendingTraces` was reached */
  evictedEarly: number;
  /** Traces decided when they reached `maxSpansPerTrace` */
  decidedOnSpanLimit: number;
  /** Traces decided at `maxAgeMs` without a local root having ended + grace */
  decidedOnMaxAge: number;
  /** Decisions forgotten to keep the cache bounded; later spans of those traces start afresh */
  decisionCacheEvicted: number;
  /** Routes past `maxRoutes`, sharing one rate bucket and p99 */
  routesOverflowed: number;
  /** Errors thrown by onKeep/onDrop, caught */
  callbackErrors: number;
  /** Spans given after close() */
  droppedAfterClose: number;
  /** Values given to add() that are not spans (or an isLocalRoot that threw), dropped */
  invalidSpans: number;
}


/** `GET {path}/api/sampling` */
export interface SamplingResponse {
  /** The head sampler, described (`AlwaysOn`, `TraceIdRatio{0.1}`, ...) */
  head: string;
  tail: TailSamplerDescription;
  stats: TailSamplerStats;
}

/** `POST` (pin) and `DELETE` (unpin) `{path}/api/traces/:traceId/pin`: the state now. */
export interface PinResponse {
  traceId: string;
  pinned: boolean;
}
