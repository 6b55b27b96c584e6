/**
 * `GET {path}/api/stats`: every counter of the panel, so every drop is visible. Top-level scalars
 * describe the process; each object is a section of counters. A feature that adds a section adds
 * it to `FeatureStats` (the route reads `PanelContext.stats`, typed from it).
 */
import type { RedactorStats } from '../redact.js';
import type { AuthStats } from './auth.js';
import type { BreakpointAgentStats, BreakpointHubStats, BreakpointLinkStats } from './breakpoints.js';
import type { ChaosStats } from './chaos.js';
import type { QueriesStats } from './queries.js';
import type { ErrorGroupsStats } from './errors.js';
import type { MetricsStats } from './metrics.js';
import type { InsightsStats } from './insights.js';
import type { LogsStats } from './logs.js';
import type { HubStats } from './otlp.js';
import type { TailSamplerStats } from './sampling.js';
import type { DependencyMapStats } from './dependencies.js';

/** The span store's fill and what it evicted. */
export interface StoreStats {
  spans: number;
  traces: number;
  /** Estimated heap bytes held (spans plus the store's own per-trace and per-span overhead) */
  bytes: number;
  maxSpans: number;
  maxBytes: number;
  evictedTraces: number;
  evictedSpans: number;
  evictedBytes: number;
  /** Spans refused: over the per-trace cap, or a single span larger than `maxBytes` */
  refusedSpans: number;
  pinned: number;
  /** Traces referenced by an incident or a breakpoint snapshot (at most `maxLinked`) */
  linked: number;
  /**
   * Per retention class (model `retentionClassOf`): what is held, what was evicted, and how far
   * back it reaches. A full store evicts `normal` traces first, `pinned` ones last.
   */
  retention: Record<RetentionClass, RetentionClassStats>;
}

/** A store's retention classes, lowest tier (evicted first) to highest; see model `RETENTION_TIER`. */
export type RetentionClass = 'normal' | 'exemplar' | 'slow' | 'error' | 'linked' | 'pinned';

/** One retention class of the span store. */
export interface RetentionClassStats {
  /** Traces and spans of the class held now */
  traces: number;
  spans: number;
  /** Traces of the class evicted since start */
  evicted: number;
  /** Earliest start (ms since epoch) among the class's oldest held traces: how far back it reaches; absent when none is held */
  oldestStartAt?: number;
}

/** Counters of the panel's tracing (its span processor and instrumentations). */
export interface TracingStats {
  /** Spans that reached this handle. */
  spansEnded: number;
  /** Spans lost because conversion or `onSpan` threw. */
  droppedSpans: number;
  /** Incoming requests whose valid traceparent was adopted as parent. */
  adoptedTraceparents: number;
  /** Incoming requests whose traceparent was invalid (they started a new trace). */
  invalidTraceparents: number;
  /** Errors caught inside the client instrumentations (process-wide). */
  instrumentationErrors: number;
  /** Attributes the per-span count limit dropped (process-wide, the panel's own spans). */
  limitedAttributes: number;
  /** Events dropped (the oldest) past the per-span limit (process-wide). */
  limitedEvents: number;
  /** Links dropped (the oldest) past the per-span limit (process-wide). */
  limitedLinks: number;
  /** Times the per-route span-name cache was full and started over (process-wide). */
  routeNameResets: number;
}

/** The SSE stream's clients and what it dropped. */
export interface StreamStats {
  clients: number;
  /** Clients disconnected because they did not keep up */
  dropped: number;
  /** Clients refused because `maxClients` were connected */
  refused: number;
  /** Events written since start */
  sent: number;
}

/** The panel's own requests and errors. */
export interface PanelStats {
  /** Panel requests answered */
  requests: number;
  /** Panel route handlers that threw (answered 500) */
  routeErrors: number;
  /** Errors inside panel code on the app's requests, swallowed so the app is never broken */
  internalErrors: number;
  /** Requests refused because they need the debugger role and came from a viewer login */
  forbidden: number;
}

/** An OTLP sender's queue (`sendTo` a hub, `exportTo` a Collector). */
export interface OtlpSenderStats {
  url: string;
  queued: number;
  sent: number;
  /** dropped because the queue was full */
  dropped: number;
  /** in batches the exporter gave up on (after its retries) */
  failed: number;
  lastError?: string;
}

/** User and baggage context kept per trace (setUser, `context.baggage`), process-wide. */
export interface ContextStats {
  /** Traces with user or baggage attributes held (at most 10,000) */
  traces: number;
  /** Entries dropped, oldest first, past the bound */
  dropped: number;
  /** The baggage keys copied onto spans and logs */
  baggage: string[];
}

/**
 * The span pipeline: ended spans wait in a bounded queue and are handed on in batches, off the
 * request path (golden signals, tail sampler, store, live stream, other consumers).
 */
export interface IngestStats {
  /** Spans handed to the pipeline (local and, in a hub, received) */
  spans: number;
  /** Spans waiting in the queue now */
  queued: number;
  /** The queue's bound */
  maxQueue: number;
  /** Spans dropped because the queue was full (the drain had not caught up) */
  droppedQueueFull: number;
  /** Batches drained */
  batches: number;
  /** The largest batch drained so far */
  largestBatch: number;
  /** Kept spans the store refused (its per-trace cap, or a span larger than its budget) */
  refused: number;
  /** Errors thrown by consumers inside the pipeline (caught: span processing never breaks the app) */
  errors: number;
}

/** Sections registered by features and options; each present only when its part is on. */
export interface FeatureStats {
  /** The span pipeline's queue and batches */
  ingest: IngestStats;
  sampling: TailSamplerStats;
  /** `debugPanel({ hub: true })` */
  hub: HubStats;
  /** `debugPanel({ sendTo })` */
  sendTo: OtlpSenderStats;
  /** `debugPanel({ exportTo })` */
  exportTo: OtlpSenderStats;
  /** `debugPanel({ sendTo })` with logs on: this process's log records, to the hub's /v1/logs */
  sendToLogs: OtlpSenderStats;
  /** `debugPanel({ exportTo })` with logs on: stored log records, to the Collector's /v1/logs */
  exportToLogs: OtlpSenderStats;
  /** Golden signals (absent with `metrics: false`) */
  metrics: MetricsStats;
  /** `created: false` until a breakpoint route is first used */
  breakpoints: BreakpointAgentStats | { created: false };
  /** A hub: other services' breakpoints it holds and what came back from them */
  breakpointHub: BreakpointHubStats;
  /** `debugPanel({ sendTo })`: the breakpoints this service pulls from its hub */
  breakpointLink: BreakpointLinkStats;
  /** The panel's one redactor: what it replaced, where */
  redaction: RedactorStats;
  /** Logins, sessions, throttling and the audit log */
  auth: AuthStats;
  /** Baselines, anomalies, incidents and alerts (absent with `insights: false` or `metrics: false`) */
  insights: InsightsStats;
  /** Chaos rules and experiments (`enabled: false` unless `chaos: true`) */
  chaos: ChaosStats;
  /** Database query insights (absent with `queries: false`) */
  queries: QueriesStats;
  /** setUser and baggage context */
  context: ContextStats;
  /** Log capture and the log store (absent with `logs: false`) */
  logs: LogsStats;
  /** Error groups (absent with `errors: false`) */
  errors: ErrorGroupsStats;
  /** The service map's incremental builder: what waits, what it counted and dropped */
  dependencies: DependencyMapStats;
}

/** `GET {path}/api/stats` */
export interface StatsResponse extends Partial<FeatureStats> {
  service: string;
  /** Version of the debugpanel package */
  version: string;
  /** `process.version` */
  node: string;
  pid: number;
  /** ms since epoch */
  startedAt: number;
  uptimeMs: number;
  store: StoreStats;
  /** `active`: the global OTel provider is the panel's (false when the app registered its own) */
  tracing: TracingStats & { active: boolean };
  stream: StreamStats;
  panel: PanelStats;
}
