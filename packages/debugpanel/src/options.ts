/**
 * Options of `debugPanel()`, validated once when the panel is created so that a typo or a wrong type
 * fails at start-up with a message that says what to do, never on a request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Sampler } from '@opentelemetry/api';
import {
  checkKeys as checkSchema,
  describeValue as describe,
  isBoolean,
  isPlainObject,
  isNumberAtLeast,
  isPositiveInt,
  isProductionEnv,
  isString,
  type Check,
  type Schema,
} from '@debugpanel/model';
import type { TailPolicies } from '@debugpanel/sampler';
import { checkQueryInsightsOptions } from '@debugpanel/queries';
import type { DetectorThresholds } from '@debugpanel/model';

/** Budgets of the in-memory span store; see `@debugpanel/span-store`. */
export interface StoreOptions {
  /** Most spans kept (default 100,000); whole traces are evicted by retention class, `normal` ones first */
  maxSpans?: number;
  /** Estimated bytes kept (default 64 MiB) */
  maxBytes?: number;
  /** Spans accepted per trace (default 10,000); the rest are counted as refused */
  maxSpansPerTrace?: number;
  /** Pinned traces, evicted last (default 100) */
  maxPinned?: number;
  /** Traces linked from incidents and breakpoint snapshots, evicted just before pinned ones (default 1,000) */
  maxLinked?: number;
  /** A trace at least this long (ms) is kept as `slow` (default 1,000) */
  slowTraceMs?: number;
  /** Traces per route per minute kept as `exemplar`s ahead of `normal` ones (default 3) */
  exemplarsPerMinute?: number;
}

/** Hub mode: other services send OTLP/HTTP traces to `{path}/v1/traces`. */
export interface HubOptions {
  /** Largest request body, compressed or not (default 4 MiB); larger ones get 413 */
  maxBodyBytes?: number;
  /** Requests decoded at once before answering 429 (default 4) */
  maxConcurrent?: number;
  /** Spans accepted per second before answering 429 (default 50,000) */
  maxSpansPerSecond?: number;
}

/** Where to send spans over OTLP/HTTP. A string is the URL. */
export interface OtlpTargetOptions {
  /** `http://collector:4318` (then `/v1/traces` is added) or the full traces URL */
  url: string;
  /** Extra headers, e.g. `{ authorization: 'Bearer ...' }` */
  headers?: Record<string, string>;
  /** `protobuf` (default) or `json` */
  protocol?: 'protobuf' | 'json';
  /**
   * How often the queued spans (and logs) are sent, ms (default 1000; a full batch of 512 goes at
   * once). A longer one sends fewer, larger requests; spans reach the far side up to that late.
   */
  intervalMs?: number;
}

/** Head and tail sampling; see `@debugpanel/sampler`. */
export interface SamplingOptions {
  /**
   * Head sampling: the fraction (0..1) of new traces marked sampled in the `traceparent` this
   * process sends on and in what exporters get, parent-based; or any OTel `Sampler`. The panel
   * itself records every span whatever this says (default 1).
   */
  head?: number | Sampler;
  /**
   * Tail sampling, decided per trace once its local root ended (+ `graceMs`): `'all'` keeps every
   * trace (default outside production); `'production'` keeps errors, slow traces, 5 traces/s per
   * route and 1% of the rest (default with NODE_ENV=production); or your own policies.
   */
  tail?: 'all' | 'production' | TailPolicies;
  /** Wait for late children after a local root ends, ms (default 2000) */
  graceMs?: number;
  /** Longest a trace waits for its decision, ms (default 30000) */
  maxAgeMs?: number;
  /** Traces waiting for a decision at once; the oldest is decided early past it (default 2000) */
  maxPendingTraces?: number;
}

/** Error groups; see `@debugpanel/errors`. */
export interface ErrorsOptions {
  /** Groups kept; the least recently seen is evicted past it (default 500) */
  maxGroups?: number;
  /** Newest occurrences kept per group (default 50) */
  maxOccurrences?: number;
  /** A group first seen this long after the panel started is marked new, ms (default 300,000) */
  newAfterMs?: number;
  /** Group the process's uncaught exceptions and unhandled rejections (default true; Node's own behaviour is unchanged) */
  process?: boolean;
  /** The app's root folder, for module names in fingerprints (default `process.cwd()`) */
  root?: string;
}

/** Golden signals; see `@debugpanel/metrics`. */
export interface MetricsOptions {
  /** Label sets per metric before folding into `other` (default 200) */
  maxSeries?: number;
  /** Seconds kept at 1-second resolution (default 600) */
  fineWindow?: number;
  /** Seconds kept at the coarse resolution (default 21,600) */
  coarseWindow?: number;
  /** Coarse resolution, seconds (default 10): the slots insights' baselines are made of; tests and evals shorten it */
  coarseResolution?: number;
}

/** Anomaly detection and root-cause ranking; see `@debugpanel/insights`. */
export interface InsightsPanelOptions {
  /** `{ 'GET /checkout': { p95Ms: 300, errorRate: 0.01 } }`: multi-window, multi-burn-rate SLO rules */
  slo?: Record<string, { p95Ms?: number; errorRate?: number }>;
  /** Detection window, seconds (default 15) */
  windowSeconds?: number;
  /** Baseline window over the coarse ring, seconds (default 3600) */
  baselineSeconds?: number;
  /** Warm-up: no anomaly for a series seen for less than this, ms (default 300,000) ... */
  warmupMs?: number;
  /** ... or with fewer requests in its baseline (default 200) */
  warmupRequests?: number;
  /** How long a signal must be back before its anomaly ends, ms (default 60,000) */
  closeAfterMs?: number;
  /** Trace digests kept for the baseline and anomaly windows (default 5000) */
  maxDigests?: number;
  /** Significance of the error and traffic tests (default 1e-6) */
  alpha?: number;
  /** Requests in the detection window below which latency and errors are not judged (default 10) */
  minCount?: number;
  /** Consecutive ticks a rule must hold before an anomaly opens (default 3) */
  openTicks?: number;
  /** A trace is digested for the ranking once no span of it arrived for this long, ms (default 3000) */
  settleMs?: number;
  /** How often an open incident is re-ranked, ms (default 5000) */
  rankEveryMs?: number;
  /** The ranking's baseline: traces that started this long before the anomaly, ms (default 600,000) */
  baselineTracesMs?: number;
}

/** Alert delivery: the UI and the live stream always; a webhook when configured (opt-in). */
export interface AlertsOptions {
  /** POST each notification (firing, resolved) to this URL, e.g. a Slack incoming webhook */
  webhook?: string;
  /** `json` (generic body, default) or `slack` */
  format?: 'json' | 'slack';
  /** Extra webhook request headers */
  headers?: Record<string, string>;
  /** An incident fires once it lasted this long, ms (default 10,000) */
  pendingMs?: number;
  /** Notifications per minute at most (default 10) */
  maxPerMinute?: number;
}

/** Log capture and the log store; see `@debugpanel/logs`. */
export interface LogsOptions {
  /** Capture console.log/info/warn/error/debug (default true); what the console prints is unchanged */
  console?: boolean;
  /** Capture pino loggers and add trace_id/span_id/trace_flags to their lines (default true, when the app has pino) */
  pino?: boolean;
  /** Capture winston loggers and add trace_id/span_id/trace_flags to their info objects (default true, when the app has winston) */
  winston?: boolean;
  /** Register a global OTel LoggerProvider (`@opentelemetry/api-logs`) unless the app has one (default true) */
  otel?: boolean;
  /** Most records held (default 50,000) */
  maxRecords?: number;
  /** Estimated bytes held (default 32 MiB) */
  maxBytes?: number;
}

/** Context copied onto spans and logs; see `setUser` for the user. */
export interface ContextOptions {
  /**
   * OTel baggage entries (W3C `baggage` header) copied, as attributes of the same name, onto every
   * span and log record of the trace in this service, e.g. `['user.id', 'region']`; each service
   * that the baggage reaches and that sets this copies them onto its own spans.
   */
  baggage?: string[];
}

/** Database query insights; see `@debugpanel/queries` and the README's thresholds table. */
export interface QueriesOptions {
  /** Detector thresholds, any subset (`nPlusOneMinRepeats`, `slowQueryMs`, ...) */
  detectors?: Partial<DetectorThresholds>;
  /** Fingerprint x service entries tracked (default 1,000) */
  maxFingerprints?: number;
  /** Aggregated findings tracked (default 500) */
  maxFindings?: number;
  /** Routes tracked per query (default 50) */
  maxRoutes?: number;
  /** Minutes of per-minute series per query (default 30) */
  seriesMinutes?: number;
  /** Requests waiting for analysis (default 2,000) */
  maxQueue?: number;
  /** Wait after a request ends before analysing it, ms (default 500) */
  delayMs?: number;
}

/** How SQL text is kept on database spans. */
export interface SqlOptions {
  /** `masked` (default): string and number literals become `?`; `full`: as written, for local debugging */
  text?: 'masked' | 'full';
}

export interface DebugPanelOptions {
  /** Where the panel answers (default `/_debug`). No trailing slash. */
  path?: string;
  /** `service.name` of this process (default `OTEL_SERVICE_NAME`, else the nearest package.json name, else `app`) */
  service?: string;
  /**
   * The debugger token (default `DEBUGPANEL_TOKEN`): every client needs a token, as
   * `Authorization: Bearer <token>` or through the login page's session cookie. Without one the
   * panel generates one at the first start, keeps it in `{dataDir}/token` (0600) and prints
   * `debugpanel: open http://127.0.0.1:PORT/_debug/login?token=...` once the server listens.
   * At least 16 characters.
   */
  token?: string;
  /**
   * A second token that gives the viewer role (default `DEBUGPANEL_VIEWER_TOKEN`): traces,
   * metrics, logs and stats, but no breakpoints, snapshots, profiles, source files or chaos.
   */
  viewerToken?: string;
  /**
   * `'token'` (default): a token always guards the panel. `'loopback'`: clients on this machine
   * may also use it without a token, unless the request carries a forwarding header (`Via`,
   * `Forwarded`, `X-Forwarded-*`, `X-Real-IP`, ...) or a non-loopback Host; a same-host reverse
   * proxy that adds no such header would make every visitor local, so this is an explicit opt-in.
   */
  auth?: 'token' | 'loopback';
  /**
   * Folder of every state file of the panel (default `.debugpanel` in the working directory):
   * saved breakpoints and snapshots, the generated token, login sessions, the audit log. Created
   * 0700, files 0600. `false` keeps all of it in memory (nothing survives a restart).
   */
  dataDir?: string | false;
  /** Budgets of the span store */
  store?: StoreOptions;
  /**
   * Extra keys whose values are replaced by `[REDACTED]` where they enter the panel (span, event,
   * link and resource attributes, OTLP received as a hub, query parameters, header names),
   * compared case-insensitively with the whole key or its last `.` segment: `['ssn']` also covers
   * `customer.ssn`. They add to the built-in rules, which always apply: the headers
   * `authorization`, `proxy-authorization`, `cookie`, `set-cookie`, `x-api-key` (also as
   * `http.request.header.*` / `http.response.header.*` attributes), keys matching
   * `/pass|pwd|secret|token|api.?key|auth|jwt|session|private/i` (`auth` not in `author`), and
   * secret-looking values under any key (`Bearer`/`Basic` credentials, JWTs, the password in
   * `scheme://user:pass@host`, secret parameters of URLs). String values are cut at 4,096
   * characters. See `Redactor` in `@debugpanel/model`.
   *
   * @example
   * debugPanel({ redact: ['ssn', 'card_number'] });
   */
  redact?: string[];
  /**
   * Turn the panel (and its tracing) on or off. Default: on, except with `NODE_ENV=production`
   * and no token. When off the middleware only calls `next()`: no tracing, and `{path}` is left to
   * the app, which answers it as if the panel did not exist.
   */
  enabled?: boolean;
  /** Receive OTLP/HTTP traces from other services at `{path}/v1/traces` (default false) */
  hub?: boolean | HubOptions;
  /** Also send this process's spans to a hub panel, e.g. `http://gateway:3000/_debug` */
  sendTo?: string | OtlpTargetOptions;
  /** Also export kept spans to an OTel Collector, Jaeger or Tempo, e.g. `http://collector:4318` */
  exportTo?: string | OtlpTargetOptions;
  /** Golden signals per route and dependency (default on); `false` turns them off */
  metrics?: boolean | MetricsOptions;
  /** Head and tail sampling (default: keep everything, or the production policies in production) */
  sampling?: SamplingOptions;
  /** Error groups (default on); `false` turns them off */
  errors?: boolean | ErrorsOptions;
  /** Anomaly detection, incidents with ranked causes (default on with metrics); `false` turns it off */
  insights?: boolean | InsightsPanelOptions;
  /** Where alerts go besides the UI and the stream: `{ webhook: 'https://hooks.slack.com/...', format: 'slack' }` */
  alerts?: AlertsOptions;
  /**
   * Logs tied to their spans (default on): console and pino lines captured with the active trace
   * and span ids, held in a bounded log store, served at `{path}/api/logs`. `false` turns capture
   * and the store off; `{ console: false }` leaves the console alone.
   */
  logs?: boolean | LogsOptions;
  /** Baggage entries to copy onto spans and logs (default none) */
  context?: ContextOptions;
  /** Query statistics and N+1 / slow-query detectors (default on); `false` turns them off */
  queries?: boolean | QueriesOptions;
  /** SQL text on pg / mysql2 spans (default `{ text: 'masked' }`) */
  sql?: SqlOptions;
  /**
   * Chaos experiments: fault rules on incoming requests, outgoing HTTP/fetch calls and database
   * statements, set through the panel (default off). With `NODE_ENV=production` it stays off
   * unless a token is configured too. See `@debugpanel/chaos`.
   */
  chaos?: boolean | ChaosOptions;
}

/** `chaos: { ... }`: bounds of the chaos feature. */
export interface ChaosOptions {
  /** Active rules at once, all services (default 50) */
  maxRules?: number;
  /** Finished experiments kept with their verdicts (default 50) */
  maxExperiments?: number;
  /** With `sendTo`: how often to pull the hub's rules for this service, ms (default 3000, at least 500) */
  pullMs?: number;
}

/** Chaos after validation: `enabled` false with the reason when it is off. */
export interface ResolvedChaos {
  enabled: boolean;
  reason?: string;
  maxRules: number;
  maxExperiments: number;
  pullMs: number;
}

/** Sampling after validation: the tail policies are checked when the sampler is created. */
export interface ResolvedSampling {
  head: number | Sampler;
  tail: 'all' | 'production' | TailPolicies;
  graceMs: number | undefined;
  maxAgeMs: number | undefined;
  maxPendingTraces: number | undefined;
}

/** An OTLP target after validation: the full traces URL. */
export interface ResolvedOtlpTarget {
  url: string;
  headers: Record<string, string>;
  protocol: 'protobuf' | 'json';
  /** unset: the sender's default (1000 ms) */
  intervalMs?: number;
}

/** Options after validation and defaults. */
export interface ResolvedOptions {
  path: string;
  service: string;
  token: string | undefined;
  viewerToken: string | undefined;
  auth: 'token' | 'loopback';
  /** Absolute folder of the panel's state files, or undefined to keep them in memory */
  dataDir: string | undefined;
  store: StoreOptions;
  redact: string[];
  enabled: boolean;
  hub: Required<HubOptions> | undefined;
  sendTo: ResolvedOtlpTarget | undefined;
  exportTo: ResolvedOtlpTarget | undefined;
  metrics: MetricsOptions | undefined;
  sampling: ResolvedSampling;
  errors: ErrorsOptions | undefined;
  context: { baggage: string[] };
  logs: Required<Pick<LogsOptions, 'console' | 'pino' | 'winston' | 'otel'>> & Pick<LogsOptions, 'maxRecords' | 'maxBytes'> | undefined;
  queries: QueriesOptions | undefined;
  sqlText: 'masked' | 'full';
  /** undefined when off (or when metrics are off: insights read them) */
  insights: InsightsPanelOptions | undefined;
  alerts: AlertsOptions;
  chaos: ResolvedChaos;
}

export const MIN_TOKEN_LENGTH = 16;

/** One line per option: a later feature adds its option here. */
const TOP_LEVEL: Record<keyof DebugPanelOptions, Check> = {
  path: isString,
  service: isString,
  token: isString,
  store: (v, n) => (isPlainObject(v) ? undefined : `${n} must be an object like { maxSpans: 100000 }, got ${describe(v)}`),
  redact: (v, n) =>
    Array.isArray(v) && v.every((k) => typeof k === 'string' && k !== '')
      ? undefined
      : `${n} must be an array of non-empty strings (keys to redact), got ${describe(v)}`,
  enabled: isBoolean,
  hub: (v, n) => (typeof v === 'boolean' || isPlainObject(v) ? undefined : `${n} must be true or an object like { maxBodyBytes: 4194304 }, got ${describe(v)}`),
  sendTo: isOtlpTarget,
  exportTo: isOtlpTarget,
  metrics: (v, n) => (typeof v === 'boolean' || isPlainObject(v) ? undefined : `${n} must be true, false or an object like { maxSeries: 200 }, got ${describe(v)}`),
  sampling: (v, n) => (isPlainObject(v) ? undefined : `${n} must be an object like { tail: 'production' }, got ${describe(v)}`),
  viewerToken: isString,
  auth: (v, n) => (v === 'token' || v === 'loopback' ? undefined : `${n} must be "token" (the default) or "loopback", got ${describe(v)}`),
  errors: (v, n) => (typeof v === 'boolean' || isPlainObject(v) ? undefined : `${n} must be true, false or an object like { maxGroups: 500 }, got ${describe(v)}`),
  insights: (v, n) => (typeof v === 'boolean' || isPlainObject(v) ? undefined : `${n} must be true, false or an object like { slo: { 'GET /checkout': { p95Ms: 300 } } }, got ${describe(v)}`),
  alerts: (v, n) => (isPlainObject(v) ? undefined : `${n} must be an object like { webhook: 'https://hooks.slack.com/services/...', format: 'slack' }, got ${describe(v)}`),
  dataDir: (v, n) => (v === false || (typeof v === 'string' && v.trim() !== '') ? undefined : `${n} must be a folder path or false (state in memory), got ${describe(v)}`),
  context: (v, n) => (isPlainObject(v) ? undefined : `${n} must be an object like { baggage: ['user.id'] }, got ${describe(v)}`),
  logs: (v, n) => (typeof v === 'boolean' || isPlainObject(v) ? undefined : `${n} must be true, false or an object like { console: false }, got ${describe(v)}`),
  queries: (v, n) => (typeof v === 'boolean' || isPlainObject(v) ? undefined : `${n} must be true, false or an object like { detectors: { slowQueryMs: 200 } }, got ${describe(v)}`),
  sql: (v, n) => (isPlainObject(v) ? undefined : `${n} must be an object like { text: 'full' }, got ${describe(v)}`),
  chaos: (v, n) => (typeof v === 'boolean' || isPlainObject(v) ? undefined : `${n} must be true, false or an object like { maxRules: 50 }, got ${describe(v)}`),
};

const CONTEXT: Record<keyof ContextOptions, Check> = {
  baggage: (v, n) =>
    Array.isArray(v) && v.length <= 32 && v.every((k) => typeof k === 'string' && k !== '' && k.length <= 128)
      ? undefined
      : `${n} must be an array of at most 32 baggage keys like ['user.id', 'region'], got ${describe(v)}`,
};

const CHAOS: Record<keyof ChaosOptions, Check> = {
  maxRules: isPositiveInt,
  maxExperiments: isPositiveInt,
  pullMs: (v, n) => (typeof v === 'number' && Number.isInteger(v) && v >= 500 ? undefined : `${n} must be a whole number of ms, at least 500, got ${describe(v)}`),
};

const LOGS: Record<keyof LogsOptions, Check> = {
  console: isBoolean,
  pino: isBoolean,
  winston: isBoolean,
  otel: isBoolean,
  maxRecords: isPositiveInt,
  maxBytes: isPositiveInt,
};

const ERRORS: Record<keyof ErrorsOptions, Check> = {
  maxGroups: isPositiveInt,
  maxOccurrences: isPositiveInt,
  newAfterMs: (v, n) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : `${n} must be a number of ms >= 0, got ${describe(v)}`),
  process: isBoolean,
  root: isString,
};

const QUERIES: Record<keyof QueriesOptions, Check> = {
  detectors: (v, n) => (isPlainObject(v) ? undefined : `${n} must be an object of thresholds like { slowQueryMs: 200 }, got ${describe(v)}`),
  maxFingerprints: isPositiveInt,
  maxFindings: isPositiveInt,
  maxRoutes: isPositiveInt,
  seriesMinutes: isPositiveInt,
  maxQueue: isPositiveInt,
  delayMs: (v, n) => (Number.isInteger(v) && (v as number) >= 0 ? undefined : `${n} must be an integer >= 0 (ms), got ${describe(v)}`),
};

const SQL: Record<keyof SqlOptions, Check> = {
  text: (v, n) => (v === 'masked' || v === 'full' ? undefined : `${n} must be "masked" or "full", got ${describe(v)}`),
};
// The values are checked by the insights engine itself when the panel creates it.
const INSIGHTS: Record<keyof InsightsPanelOptions, Check> = {
  slo: (v, n) => (isPlainObject(v) ? undefined : `${n} must be an object like { 'GET /checkout': { p95Ms: 300, errorRate: 0.01 } }`),
  windowSeconds: isPositiveInt,
  baselineSeconds: isPositiveInt,
  warmupMs: isNonNegative,
  warmupRequests: isNonNegative,
  closeAfterMs: isNonNegative,
  maxDigests: isPositiveInt,
  alpha: (v, n) => (typeof v === 'number' && v > 0 && v < 1 ? undefined : `${n} must be a probability between 0 and 1, like 1e-6, got ${describe(v)}`),
  minCount: isPositiveInt,
  openTicks: isPositiveInt,
  settleMs: isPositiveInt,
  rankEveryMs: isPositiveInt,
  baselineTracesMs: isPositiveInt,
};

const ALERTS: Record<keyof AlertsOptions, Check> = {
  webhook: isString,
  format: (v, n) => (v === 'json' || v === 'slack' ? undefined : `${n} must be "json" or "slack", got ${describe(v)}`),
  headers: (v, n) =>
    isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string') ? undefined : `${n} must be an object of string header values`,
  pendingMs: isNonNegative,
  maxPerMinute: isPositiveInt,
};

function isNonNegative(v: unknown, n: string): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : `${n} must be a number >= 0, got ${describe(v)}`;
}

const SAMPLING: Record<keyof SamplingOptions, Check> = {
  head: (v, n) =>
    (typeof v === 'number' && v >= 0 && v <= 1) || (typeof v === 'object' && v !== null && typeof (v as Sampler).shouldSample === 'function')
      ? undefined
      : `${n} must be a fraction from 0 to 1 or an OpenTelemetry Sampler, got ${describe(v)}`,
  tail: (v, n) =>
    v === 'all' || v === 'production' || isPlainObject(v)
      ? undefined
      : `${n} must be "all", "production" or policies like { error: true, probabilistic: 0.1 }, got ${describe(v)}`,
  graceMs: isPositiveInt,
  maxAgeMs: isPositiveInt,
  maxPendingTraces: isPositiveInt,
};

const HUB: Record<keyof HubOptions, Check> = {
  maxBodyBytes: isPositiveInt,
  maxConcurrent: isPositiveInt,
  maxSpansPerSecond: isPositiveInt,
};

const METRICS: Record<keyof MetricsOptions, Check> = {
  maxSeries: isPositiveInt,
  fineWindow: isPositiveInt,
  coarseWindow: isPositiveInt,
  coarseResolution: isPositiveInt,
};

const OTLP_TARGET: Record<keyof OtlpTargetOptions, Check> = {
  url: isString,
  headers: (v, n) =>
    isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string') ? undefined : `${n} must be an object of string header values`,
  protocol: (v, n) => (v === 'protobuf' || v === 'json' ? undefined : `${n} must be "protobuf" or "json", got ${describe(v)}`),
  intervalMs: (v, n) => (Number.isInteger(v) && (v as number) >= 10 && (v as number) <= 60_000 ? undefined : `${n} must be a whole number of ms from 10 to 60000, got ${describe(v)}`),
};

function isOtlpTarget(v: unknown, n: string): string | undefined {
  if (typeof v === 'string') return undefined;
  if (isPlainObject(v) && typeof v.url === 'string') return undefined;
  return `${n} must be a URL string like "http://collector:4318" or { url, headers?, protocol? }, got ${describe(v)}`;
}

/** `http://host:4318` -> `http://host:4318/v1/traces`; a URL already ending in /v1/traces is kept. */
function resolveOtlpTarget(v: string | OtlpTargetOptions | undefined, name: string): ResolvedOtlpTarget | undefined {
  if (v === undefined) return undefined;
  const t = typeof v === 'string' ? { url: v } : v;
  if (typeof v !== 'string') checkKeys(v as unknown as Record<string, unknown>, OTLP_TARGET, 'debugPanel(options)', `${name}.`);
  let url: URL;
  try {
    url = new URL(t.url);
  } catch {
    throw new DebugPanelOptionsError(`debugPanel(options): ${name} "${t.url}" is not a URL; expected e.g. "http://collector:4318"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DebugPanelOptionsError(`debugPanel(options): ${name} must be an http: or https: URL, got "${t.url}"`);
  }
  if (!url.pathname.endsWith('/v1/traces')) url.pathname = url.pathname.replace(/\/+$/, '') + '/v1/traces';
  return { url: url.href, headers: { ...t.headers }, protocol: t.protocol ?? 'protobuf', ...(t.intervalMs !== undefined ? { intervalMs: t.intervalMs } : {}) };
}

const STORE: Record<keyof StoreOptions, Check> = {
  maxSpans: isPositiveInt,
  maxBytes: isPositiveInt,
  maxSpansPerTrace: isPositiveInt,
  maxPinned: isPositiveInt,
  maxLinked: isPositiveInt,
  slowTraceMs: isNumberAtLeast(0),
  exemplarsPerMinute: isNumberAtLeast(0),
};

/** Thrown for bad options; the message names the option and what to do. */
export class DebugPanelOptionsError extends TypeError {
  override name = 'DebugPanelOptionsError';
}

/**
 * Validates `debugPanel()` options and fills in defaults from the environment.
 * Throws a `DebugPanelOptionsError` that names the option ("did you mean ...?").
 */
export function resolveOptions(
  options: unknown = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ResolvedOptions {
  if (options === undefined || options === null) options = {};
  if (!isPlainObject(options)) {
    throw new DebugPanelOptionsError(`debugPanel(options): options must be an object, got ${describe(options)}`);
  }
  checkKeys(options, TOP_LEVEL, 'debugPanel(options)', '');
  const o = options as DebugPanelOptions;
  if (o.store !== undefined) checkKeys(o.store as Record<string, unknown>, STORE, 'debugPanel(options)', 'store.');
  if (isPlainObject(o.hub)) checkKeys(o.hub, HUB, 'debugPanel(options)', 'hub.');
  if (isPlainObject(o.metrics)) checkKeys(o.metrics, METRICS, 'debugPanel(options)', 'metrics.');
  if (isPlainObject(o.logs)) checkKeys(o.logs, LOGS, 'debugPanel(options)', 'logs.');
  if (isPlainObject(o.context)) checkKeys(o.context, CONTEXT, 'debugPanel(options)', 'context.');
  if (o.sampling !== undefined) checkKeys(o.sampling as Record<string, unknown>, SAMPLING, 'debugPanel(options)', 'sampling.');
  if (isPlainObject(o.errors)) checkKeys(o.errors, ERRORS, 'debugPanel(options)', 'errors.');
  if (isPlainObject(o.queries)) {
    checkKeys(o.queries, QUERIES, 'debugPanel(options)', 'queries.');
    try {
      checkQueryInsightsOptions({ ...(o.queries.detectors ? { detectors: o.queries.detectors } : {}) }, 'queries');
    } catch (err) {
      throw new DebugPanelOptionsError(`debugPanel(options): ${(err as Error).message}`);
    }
  }
  if (o.sql !== undefined) checkKeys(o.sql as Record<string, unknown>, SQL, 'debugPanel(options)', 'sql.');
  if (isPlainObject(o.insights)) checkKeys(o.insights, INSIGHTS, 'debugPanel(options)', 'insights.');
  if (o.alerts !== undefined) checkKeys(o.alerts as Record<string, unknown>, ALERTS, 'debugPanel(options)', 'alerts.');
  if (o.alerts?.webhook !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(o.alerts.webhook);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new DebugPanelOptionsError(`debugPanel(options): alerts.webhook must be an http: or https: URL, got "${o.alerts.webhook.slice(0, 100)}"`);
    }
  }
  if (isPlainObject(o.chaos)) checkKeys(o.chaos, CHAOS, 'debugPanel(options)', 'chaos.');

  const path = o.path ?? '/_debug';
  const pathProblem = checkPath(path);
  if (pathProblem) throw new DebugPanelOptionsError(`debugPanel(options): path ${pathProblem}`);

  if (o.service !== undefined && o.service.trim() === '') {
    throw new DebugPanelOptionsError('debugPanel(options): service must not be empty (omit it for the default)');
  }
  const fromEnv = (name: string) => (env[name] !== undefined && env[name] !== '' ? env[name] : undefined);
  const token = o.token ?? fromEnv('DEBUGPANEL_TOKEN');
  const viewerToken = o.viewerToken ?? fromEnv('DEBUGPANEL_VIEWER_TOKEN');
  const checkToken = (value: string | undefined, name: string) => {
    if (value !== undefined && value.length < MIN_TOKEN_LENGTH) {
      throw new DebugPanelOptionsError(
        `debugPanel(options): ${name} must be at least ${MIN_TOKEN_LENGTH} characters; generate one with \`openssl rand -hex 24\``,
      );
    }
  };
  checkToken(token, o.token !== undefined ? 'token' : 'DEBUGPANEL_TOKEN');
  checkToken(viewerToken, o.viewerToken !== undefined ? 'viewerToken' : 'DEBUGPANEL_VIEWER_TOKEN');
  if (viewerToken !== undefined && viewerToken === token) {
    throw new DebugPanelOptionsError('debugPanel(options): viewerToken must differ from token (the same token cannot give two roles)');
  }
  const production = isProductionEnv(env.NODE_ENV);
  return {
    path,
    service: o.service ?? defaultService(env, cwd),
    token,
    viewerToken,
    auth: o.auth ?? 'token',
    dataDir: o.dataDir === false ? undefined : resolve(cwd, o.dataDir ?? '.debugpanel'),
    store: { ...o.store },
    redact: [...(o.redact ?? [])],
    enabled: o.enabled ?? !(production && token === undefined),
    hub: o.hub
      ? { maxBodyBytes: 4 * 1024 * 1024, maxConcurrent: 4, maxSpansPerSecond: 50_000, ...(o.hub === true ? {} : o.hub) }
      : undefined,
    sendTo: resolveOtlpTarget(o.sendTo, 'sendTo'),
    exportTo: resolveOtlpTarget(o.exportTo, 'exportTo'),
    metrics: o.metrics === false ? undefined : { ...(o.metrics === true || o.metrics === undefined ? {} : o.metrics) },
    errors: o.errors === false ? undefined : { ...(o.errors === true || o.errors === undefined ? {} : o.errors) },
    sampling: {
      head: o.sampling?.head ?? 1,
      tail: o.sampling?.tail ?? (production ? 'production' : 'all'),
      graceMs: o.sampling?.graceMs,
      maxAgeMs: o.sampling?.maxAgeMs,
      maxPendingTraces: o.sampling?.maxPendingTraces,
    },
    context: { baggage: [...(o.context?.baggage ?? [])] },
    logs: o.logs === false ? undefined : { console: true, pino: true, winston: true, otel: true, ...(o.logs === true || o.logs === undefined ? {} : o.logs) },
    queries: o.queries === false ? undefined : { ...(o.queries === true || o.queries === undefined ? {} : o.queries) },
    sqlText: o.sql?.text ?? 'masked',
    insights: o.insights === false || o.metrics === false ? undefined : { ...(o.insights === true || o.insights === undefined ? {} : o.insights) },
    alerts: { ...o.alerts },
    chaos: resolveChaos(o.chaos, production, token),
  };
}

/** Chaos is on only when asked for, and in production only with a configured token as well. */
function resolveChaos(v: boolean | ChaosOptions | undefined, production: boolean, token: string | undefined): ResolvedChaos {
  const bounds = { maxRules: 50, maxExperiments: 50, pullMs: 3000, ...(isPlainObject(v) ? v : {}) };
  if (!v) return { enabled: false, reason: 'chaos is off; start the panel with debugPanel({ chaos: true })', ...bounds };
  if (production && token === undefined) {
    return { enabled: false, reason: 'chaos stays off with NODE_ENV=production unless a token is configured (token option or DEBUGPANEL_TOKEN)', ...bounds };
  }
  return { enabled: true, ...bounds };
}

function checkKeys(obj: object, schema: Schema, where: string, prefix: string): void {
  checkSchema(obj, schema, where, prefix, DebugPanelOptionsError);
}

function checkPath(path: string): string | undefined {
  if (!path.startsWith('/')) return `must start with "/", got "${path}"`;
  if (path === '/') return 'must not be "/" (the panel would shadow the whole app); use e.g. "/_debug"';
  if (path.endsWith('/')) return `must not end with "/", got "${path}" (use "${path.replace(/\/+$/, '')}")`;
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) {
    return `may only hold letters, digits and . _ ~ - between slashes, got "${path}"`;
  }
  return undefined;
}

/** Default `service.name`: `OTEL_SERVICE_NAME`, else the nearest package.json name from cwd, else `app`. */
export function defaultService(env: NodeJS.ProcessEnv, cwd: string): string {
  const fromEnv = env.OTEL_SERVICE_NAME?.trim();
  if (fromEnv) return fromEnv;
  let dir = cwd;
  for (let i = 0; i < 50; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
        if (typeof name === 'string' && name !== '') return name;
      } catch {
        // an unreadable package.json is not the panel's business; keep looking upwards
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return 'app';
}
