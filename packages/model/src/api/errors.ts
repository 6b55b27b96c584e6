/** Any 4xx/5xx JSON answer of the API: `{ "error": "what was wrong and what to send instead" }`. */
export interface ApiError {
  error: string;
}

// ---------------------------------------------------------------------------------------------
// Error groups: `GET {path}/api/errors` and `GET {path}/api/errors/:fingerprint`
// ---------------------------------------------------------------------------------------------

/**
 * Where an exception was seen: an `exception` event of a span (local or received over OTLP), an
 * `Error` passed to a logger, an uncaught exception, an unhandled promise rejection.
 */
export type ErrorSource = 'span' | 'log' | 'uncaught' | 'rejection';

/** One parsed stack frame. `module` and `function` count for the fingerprint, never the line. */
export interface ErrorFrame {
  /** `getUser`, `OrderService.price`; `<anonymous>` when V8 names none */
  function: string;
  /** The file without its directories above the app (or `node_modules/<pkg>`), extension and query: `src/services/orders` */
  module: string;
  /** The file as the stack wrote it (path or URL) */
  file?: string;
  line?: number;
  column?: number;
  /** Not in `node_modules`, not `node:` / `internal/` / native: the app's own code */
  inApp: boolean;
}

/** `GET {path}/api/errors` query parameters. */
export const ERRORS_PARAMS = ['service', 'route', 'user', 'release', 'source', 'since', 'limit'] as const;
export type ErrorsParam = (typeof ERRORS_PARAMS)[number];

/** One error group, as the list shows it. */
export interface ErrorGroupSummary {
  /** 16 lower-case hex characters; stable across restarts for the same code and message shape */
  fingerprint: string;
  /** Exception type of the outermost error (`TypeError`, `HttpError`) */
  type: string;
  /** The latest occurrence's message (redacted, cut to 1,000 characters) */
  message: string;
  /** The message with its variable parts replaced (`order <num> not found`): what groups */
  title: string;
  /** Occurrences since the group was first seen (not bounded by `occurrences`) */
  count: number;
  /** ms since epoch */
  firstSeen: number;
  lastSeen: number;
  /** First seen `newAfterMs` or more after the panel started (see `ErrorsResponse.newAfterMs`) */
  isNew: boolean;
  /** The in-app frame the error was thrown from, `module function`, when there is one */
  culprit?: string;
  /** The services, routes (`http.route`), releases (`service.version`) and users (`user.id`) it hit; bounded sets, first values kept */
  services: string[];
  routes: string[];
  releases: string[];
  users: string[];
  sources: ErrorSource[];
  /** Values left out of the bounded sets above (all four together) */
  droppedValues: number;
  /** The newest distinct trace ids of its occurrences, newest first (bounded) */
  sampleTraceIds: string[];
  /** Occurrences per minute, oldest first; the last entry is the minute of `ErrorsResponse.seriesEnd` */
  series: number[];
}

/** `GET {path}/api/errors` (most recently seen first) */
export interface ErrorsResponse {
  groups: ErrorGroupSummary[];
  /** Groups that matched the filters, before `limit` */
  total: number;
  /** ms since epoch of the start of the minute after the series' last bucket (the series ends just before) */
  seriesEnd: number;
  /** Width of one series bucket, ms (60,000) */
  seriesStepMs: number;
  /** A group first seen this long after the panel started is marked `isNew` */
  newAfterMs: number;
}

/** One exception of the `cause` chain of a sample: the outermost first. */
export interface ErrorChainLink {
  type: string;
  message: string;
  /** The stack as recorded (cut to 16 KB) */
  stack?: string;
  frames: ErrorFrame[];
}

/** One occurrence of a group (the newest are kept, bounded). */
export interface ErrorOccurrence {
  /** ms since epoch */
  time: number;
  source: ErrorSource;
  service: string;
  message: string;
  traceId?: string;
  spanId?: string;
  route?: string;
  user?: string;
  release?: string;
  /** True when the span store still holds the trace (a link to the trace view works) */
  stored?: boolean;
}

/** Another group met in the same traces: one that caused this group, or one this group caused. */
export interface ErrorGroupRelation {
  fingerprint: string;
  type: string;
  title: string;
  services: string[];
  /** Sample traces of this group in which the relation was seen */
  traces: number;
  /** One of those traces */
  traceId: string;
}

/** `GET {path}/api/errors/:fingerprint` */
export interface ErrorGroupResponse {
  group: ErrorGroupSummary;
  /** The newest occurrence's exception and its `cause` chain, outermost first */
  sample: ErrorChainLink[];
  /** As in `ErrorsResponse` */
  seriesEnd: number;
  seriesStepMs: number;
  /** Newest first */
  occurrences: ErrorOccurrence[];
  /**
   * Groups whose exception sits on a span below one of this group's spans in a sample trace
   * (deeper in the call, often another service): the origin of this error.
   */
  causedBy: ErrorGroupRelation[];
  /** Groups on spans above this group's spans in its sample traces: what this error caused upstream */
  causes: ErrorGroupRelation[];
  /** Sample traces looked at for causedBy/causes (those the span store still holds) */
  tracesExamined: number;
}

/** The `errors` section of `GET {path}/api/stats`. */
export interface ErrorGroupsStats {
  groups: number;
  maxGroups: number;
  /** Exceptions recorded (every source) */
  recorded: number;
  /** Groups evicted (least recently seen first) to stay within `maxGroups` */
  evictedGroups: number;
  /** Exceptions waiting to be grouped, and those dropped because that queue was full */
  queued: number;
  droppedQueue: number;
  /** The same exception seen again on an enclosing span of its trace (counted once) */
  duplicates: number;
  /** Traces remembered for relations and dedupe, and those forgotten (oldest first) to stay bounded */
  traces: number;
  evictedTraces: number;
  /** Exceptions that could not be grouped (an internal error; swallowed) */
  failed: number;
  /** Uncaught exceptions and unhandled rejections seen by the process */
  uncaught: number;
  rejections: number;
}
