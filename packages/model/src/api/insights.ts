/**
 * Insights: `GET {path}/api/insights` (incidents, newest first, and the open anomalies),
 * `GET {path}/api/insights/:id` (one incident with its anomalies, suspects and evidence),
 * `POST {path}/api/insights/:id/ack` (acknowledge: no more notifications for it) and
 * `GET {path}/api/compare?a=&b=` (two cohorts of traces aligned by path). The SSE stream carries
 * `insight` (an incident changed) and `alert` (a notification: firing or resolved).
 */

import type { FindingKind } from './queries.js';

/** What moved. */
export type InsightSignal = 'latency' | 'errors' | 'traffic-drop' | 'traffic-surge' | 'saturation' | 'slo-burn';

export type InsightSeverity = 'warning' | 'critical';

/** Where it moved: a route (`GET /checkout`), a dependency edge, a whole service, or the process. */
export interface InsightScope {
  kind: 'route' | 'service' | 'dependency' | 'process';
  service: string;
  /** `METHOD /template` for a route */
  route?: string;
  /** the callee's name (`sqlite orders.db`, `inventory:3002`) for a dependency edge */
  dependency?: string;
}

/** One signal of one scope outside its baseline, from its start until it is back for a while. */
export interface Anomaly {
  id: string;
  signal: InsightSignal;
  scope: InsightScope;
  severity: InsightSeverity;
  /** ms since epoch */
  startedAt: number;
  endedAt?: number;
  /** the baseline (median over the baseline window) and the value over the detection window */
  baseline: number;
  current: number;
  /** `ms` latency, `ratio` error rate or burn rate, `rps` traffic, `ms`/`bytes` saturation */
  unit: 'ms' | 'ratio' | 'rps' | 'bytes' | 'burn';
  /** tail probability of the current value under the baseline (errors, traffic), when tested */
  pValue?: number;
  /** one sentence from the numbers */
  detail: string;
  /** the incident it belongs to */
  incidentId?: string;
}

/** What a suspect is suspected of. */
export type SuspectKind = 'self-time' | 'error-origin' | 'attribute' | 'dependency';

/** The numbers behind a suspect. */
export interface SuspectEvidence {
  /** baseline and anomalous-window value: mean self time per trace (ms), origin rate, or P(value) */
  before: number;
  after: number;
  unit: 'ms' | 'ratio';
  /** share of anomalous traces that show it, and of normal traces */
  anomalousShare: number;
  normalShare: number;
  /** spectrum scores over anomalous (failing) vs normal (passing) traces */
  ochiai: number;
  dstar2: number;
  /** attribute suspects: P(value | anomalous) / P(value | normal) */
  lift?: number;
  /** error-origin suspects: the error group (fingerprint) of the origin, when the panel names groups */
  errorGroup?: string;
  /** error-origin suspects: the error groups of the origin spans, most frequent first (at most 3) */
  errorGroups?: ErrorGroupEvidence[];
  /** database suspects: the query fingerprint and its latency before and after */
  query?: QueryEvidence;
  /** database suspects: N+1 findings of its service in the anomaly window's traces (at most 3) */
  findings?: QueryFindingEvidence[];
  /** example trace ids: anomalous ones from the anomaly window, normal ones from the baseline window */
  anomalousTraces: string[];
  normalTraces: string[];
  /** one sentence from the numbers above */
  sentence: string;
}

/** An error group (`@debugpanel/errors`) at the origin of failing traces. */
export interface ErrorGroupEvidence {
  /** the group's fingerprint: `GET {path}/api/errors/:fingerprint` */
  fingerprint: string;
  /** exception type (`TypeError`, `SqliteError`) */
  type: string;
  /** the group's normalised message (its title) */
  message: string;
  /** failing traces of the anomaly window whose origin is in the group, and baseline traces with it as origin */
  window: number;
  baseline: number;
  /** relevant traces of each window, to read the counts as rates */
  windowTraces: number;
  baselineTraces: number;
  /** example trace ids of the anomaly window */
  traceIds: string[];
}

/** A database statement's latency, baseline window vs anomaly window. */
export interface QueryEvidence {
  /** `@debugpanel/queries` fingerprint id (`GET {path}/api/queries/:fingerprint`), when the panel names queries */
  fingerprint?: string;
  /** the normalised statement */
  statement: string;
  /** `db.system.name` (sqlite, postgresql, ...) */
  system?: string;
  /** p95 of the statement's span durations, ms */
  p95Before: number;
  p95After: number;
  /** calls per trace that ran it, mean */
  callsBefore: number;
  callsAfter: number;
  /** span durations the percentiles come from (bounded per trace) */
  samplesBefore: number;
  samplesAfter: number;
}

/** An N+1 (or other query) finding seen in the anomaly window, with its baseline count. */
export interface QueryFindingEvidence {
  kind: FindingKind;
  service: string;
  /** the request's route (`GET /products`) */
  route: string;
  fingerprint?: string;
  statement?: string;
  /** relevant traces of the anomaly window with it, and of the baseline window */
  window: number;
  baseline: number;
  /** repeats (spans) per request that had it, mean, in each window */
  repeatsAfter: number;
  repeatsBefore: number;
  /** ms of its spans per request that had it, mean, in each window */
  msAfter: number;
  msBefore: number;
  /** example trace ids of the anomaly window */
  traceIds: string[];
}

export interface Suspect {
  service: string;
  /** the span name (a route, a query, a call) when the suspect is an operation */
  operation?: string;
  /** attribute suspects: `key=value` */
  attribute?: string;
  kind: SuspectKind;
  /** 0..1, the list is sorted by it */
  score: number;
  evidence: SuspectEvidence;
}

/** Alert state of an incident: pending until it lasted `alerts.pendingMs`, firing, then resolved. */
export type IncidentState = 'pending' | 'firing' | 'resolved';

/** One incident: anomalies that share a root, with one ranked cause. */
export interface IncidentSummary {
  id: string;
  state: IncidentState;
  startedAt: number;
  endedAt?: number;
  /** the signal and scope of its first anomaly */
  signal: InsightSignal;
  scope: InsightScope;
  severity: InsightSeverity;
  /** acknowledged: kept and shown, but no more notifications */
  acked: boolean;
  /** `checkout p95 310 ms (baseline 80 ms); most likely inventory SELECT stock` */
  title: string;
  /** how many anomalies it groups */
  anomalies: number;
  /** the services of the anomalies it groups, first one's first (a gateway's incident may group orders' anomalies) */
  services?: string[];
  /** the top suspects (at most 3), with their evidence */
  suspects: Suspect[];
}

/** Query of `GET {path}/api/insights`. */
export interface InsightsParams {
  /** `open` (pending or firing) or `all` (default) */
  state?: 'open' | 'all';
  /** most incidents (default 50, at most 500) */
  limit?: string;
}

export const INSIGHTS_PARAMS = ['state', 'limit'] as const satisfies ReadonlyArray<keyof InsightsParams>;

/** Where a series stands against its baseline (one row per watched series). */
export interface BaselineRow {
  scope: InsightScope;
  /** false during warm-up: no anomaly is raised before the baseline is ready */
  ready: boolean;
  /** requests in the baseline window */
  count: number;
  p50: number;
  p95: number;
  /** median absolute deviation of the slot p95s, ms */
  p95Mad: number;
  errorRate: number;
  /** requests per second */
  rate: number;
}

/** `GET {path}/api/insights` */
export interface InsightsResponse {
  /** newest first */
  incidents: IncidentSummary[];
  /** anomalies not yet ended */
  anomalies: Anomaly[];
  /** incidents pending or firing and not acknowledged: the header badge */
  firing: number;
  baselines: BaselineRow[];
}

/** A timeline entry of an incident. */
export interface IncidentEvent {
  at: number;
  /** `opened`, `firing`, `anomaly`, `ranked`, `acked`, `resolved` */
  type: 'opened' | 'firing' | 'anomaly' | 'ranked' | 'acked' | 'resolved';
  text: string;
}

/** `GET {path}/api/insights/:id` */
export interface IncidentDetail extends IncidentSummary {
  /** every suspect ranked (not only the top 3) */
  ranked: Suspect[];
  members: Anomaly[];
  timeline: IncidentEvent[];
  /** the windows compared: baseline traces [from, to), anomalous traces [from, to) */
  windows: { baseline: [number, number]; anomalous: [number, number] };
  /** traces compared, and how many of the window's traces were anomalous */
  traces: { baseline: number; window: number; anomalous: number };
}

/** Body of `POST {path}/api/insights/:id/ack` (optional). */
export interface AckRequest {
  /** also silence incidents with the same scope for this long, minutes (0 to 1440) */
  silenceMinutes?: number;
}

/** `POST {path}/api/insights/:id/ack` */
export interface AckResponse {
  incident: IncidentSummary;
  /** ms since epoch until which the scope is silenced, when a silence was asked for */
  silencedUntil?: number;
}

/** `event: alert` on the stream, and the generic webhook body. */
export interface AlertNotification {
  /** `firing` or `resolved` */
  status: 'firing' | 'resolved';
  incident: IncidentSummary;
  /** the panel that sends it */
  service: string;
  /** ms since epoch */
  at: number;
}

/** Query of `GET {path}/api/compare`. */
export interface CompareParams {
  /**
   * A cohort: comma-separated trace ids (`4bf9...,a3ce...`), or a trace query in URL form
   * (`route=/checkout&minDuration=300`, keys of `GET {path}/api/traces`), URL-encoded.
   */
  a: string;
  b: string;
}

export const COMPARE_PARAMS = ['a', 'b'] as const satisfies ReadonlyArray<keyof CompareParams>;

/** One node of the aligned tree: a (service, operation) at a path of sibling positions. */
export interface CompareNode {
  /** `gateway:GET /checkout/0 > orders:GET /orders/0 > ...`, unique */
  path: string;
  depth: number;
  service: string;
  operation: string;
  /** in both cohorts, only in b (`added`) or only in a (`removed`) */
  status: 'both' | 'added' | 'removed';
  /** mean per trace of each cohort: spans, self time, critical-path time (ms) */
  countA: number;
  countB: number;
  selfA: number;
  selfB: number;
  criticalA: number;
  criticalB: number;
}

/** One attribute value's share in each cohort. */
export interface AttributeLift {
  /** `service:key=value` */
  attribute: string;
  shareA: number;
  shareB: number;
  /** shareB / shareA (shareA floored at 1 / (traces + 1)) */
  lift: number;
}

/** `GET {path}/api/compare` */
export interface CompareResponse {
  a: { traces: number; traceIds: string[]; meanDuration: number };
  b: { traces: number; traceIds: string[]; meanDuration: number };
  /** depth-first, largest critical-path change first among siblings */
  nodes: CompareNode[];
  /** b over a, highest lift first, with a minimum support */
  attributes: AttributeLift[];
}

/** The `insights` section of `GET {path}/api/stats`. */
export interface InsightsStats {
  ticks: number;
  /** ticks that threw (swallowed; the next one tries again) */
  tickErrors: number;
  /** ms the last tick took */
  lastTickMs: number;
  /**
   * The longest tick (or slice) so far, ms; the budget each aims to stay under (`tickBudgetMs` option) and
   * the ticks that went over it; re-rankings and trace digests left for a later tick by the budget
   */
  maxTickMs?: number;
  tickBudgetMs?: number;
  tickOverruns?: number;
  deferredRanks?: number;
  deferredDigests?: number;
  /** extra slices run after a tick to go on with what its budget left (the host's loop runs between them) */
  slices?: number;
  series: number;
  /** spans waiting for their trace to settle, and traces */
  pendingSpans: number;
  pendingTraces: number;
  /** spans dropped because the pending buffer or a trace's span cap was full */
  droppedSpans: number;
  /** trace digests kept for the windows, the bound, and digests evicted */
  digests: number;
  maxDigests: number;
  evictedDigests: number;
  /**
   * Distinct strings the digests share (scope and op keys, attribute pairs), and the times that
   * bounded table was full and started afresh
   */
  digestStrings: number;
  digestStringResets: number;
  /** Distinct scope and attribute lists the digests share, and the times that bounded table started afresh */
  digestLists: number;
  digestListResets: number;
  /**
   * Database statements (edge and fingerprint) whose own latency the statement mix keeps, those
   * not tracked past its bound, and the ticks on which a dependency edge's latency shift was
   * explained by its mix (each statement at its own baseline) and so not an anomaly
   */
  mixStatements?: number;
  droppedMixStatements?: number;
  mixExplainedTicks?: number;
  /** synchronous calls (SQLite) of the last minute, kept to charge the time they blocked other requests to them, and those dropped past the bound */
  blockingCalls: number;
  droppedBlockingCalls: number;
  anomaliesOpen: number;
  anomaliesTotal: number;
  incidents: number;
  /** incidents evicted past `maxIncidents` (the oldest resolved first) */
  evictedIncidents: number;
  notifications: number;
  /** notifications not sent because of the rate limit or a silence */
  suppressedNotifications: number;
  webhook?: WebhookStats;
}

/** The webhook queue. */
export interface WebhookStats {
  url: string;
  queued: number;
  sent: number;
  /** dropped because the queue was full */
  dropped: number;
  /** given up on after the retries */
  failed: number;
  retries: number;
  lastError?: string;
}
