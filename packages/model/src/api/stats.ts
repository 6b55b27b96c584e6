/**
 * `GET {path}/api/stats`: every counter of the panel, so every drop is visible. Top-level scalars
 * describe the process; each object is a section of counters. A feature that adds a section adds
 * it to `FeatureStats` (the route reads `PanelContext.stats`, typed from it).
 */
import type { RedactorStats } from '../redact.js';
import type { BreakpointAgentStats } from './breakpoints.js';
import type { ChaosStats } from './chaos.js';
import type { QueriesStats } from './queries.js';
import type { ErrorGroupsStats } from './errors.js';
import type { MetricsStats } from './metrics.js';
import type { LogsStats } from './logs.js';
import type { HubStats } from './otlp.js';
import type { TailSamplerStats } from './sampling.js';

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

/** Sections registered by features and options; each present only when its part is on. */
export interface FeatureStats {
  sampling: TailSamplerStats;
  /** `debugPanel({ hub: true })` */
  hub: HubStats;
  /** `debugPanel({ sendTo })` */
  sendTo: OtlpSenderStats;
  /** `debugPanel({ exportTo })` */
  exportTo: OtlpSenderStats;
  /** Golden signals (absent with `metrics: false`) */
  metrics: MetricsStats;
  /** `created: false` until a breakpoint route is first used */
  breakpoints: BreakpointAgentStats | { created: false };
  /** The panel's one redactor: what it replaced, where */
  redaction: RedactorStats;
  /** Chaos rules and experiments (`enabled: false` unless `chaos: true`) */
  chaos: ChaosStats;
  /** Database query insights (absent with `queries: false`) */
  queries: QueriesStats;
  /** Log capture and the log store (absent with `logs: false`) */
  logs: LogsStats;
  /** Error groups (absent with `errors: false`) */
  errors: ErrorGroupsStats;
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
