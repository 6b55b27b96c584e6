/**
 * Live breakpoints: `GET/POST {path}/api/breakpoints`, `DELETE {path}/api/breakpoints/:id`,
 * `GET {path}/api/snapshots[?breakpointId=&traceId=]`, `GET {path}/api/snapshots/:id`,
 * `GET {path}/api/logpoints[?breakpointId=&after=]`, `GET {path}/api/sources` (the app's own source
 * files) and `GET {path}/api/sources/file?path=...`. The agent (`@debugpanel/breakpoints`) keeps
 * these types as its own.
 */

/** What a breakpoint does when it is hit. */
export type BreakpointKind = 'snapshot' | 'logpoint';

/**
 * pending: no loaded script holds the line yet; active: armed in V8; hit: a snapshot breakpoint
 * used its `maxHits`; expired: its time ran out; error: it could not be set (see `error`).
 */
export type BreakpointState = 'pending' | 'active' | 'hit' | 'expired' | 'error';

/** What a user asks for. `line` is 1-based, as an editor shows it. */
export interface BreakpointInput {
  /** Absolute path, or relative to the agent's `root`. `.ts` files are mapped through source maps. */
  file: string;
  line: number;
  kind?: BreakpointKind;
  /**
   * A JavaScript expression evaluated in the frame at every run of the line, side-effect free and
   * within the time limit; the breakpoint fires when it is truthy.
   */
  condition?: string;
  /** Expressions evaluated at the hit, side-effect free and within the time limit (snapshot). */
  watch?: string[];
  /** Logpoint template: `user {user.id} has {items.length} items`. */
  message?: string;
  /** Snapshot default 1; logpoint default unlimited (until expiry). */
  maxHits?: number;
  /** Lifetime in ms; default one hour, at most one day. */
  expiresInMs?: number;
}

/** Where a breakpoint sits in the JavaScript V8 runs (differs from file/line for TypeScript). */
export interface GeneratedLocation {
  url: string;
  /** 1-based */
  line: number;
  /** 0-based */
  column: number;
}

export interface Breakpoint {
  id: string;
  file: string;
  line: number;
  kind: BreakpointKind;
  condition?: string;
  watch: string[];
  message?: string;
  maxHits: number | null;
  hits: number;
  state: BreakpointState;
  error?: string;
  createdAt: number;
  expiresAt: number;
  generated?: GeneratedLocation;
  /** How many times a rate limit took it out of V8 for the rest of a second. */
  coolDowns?: number;
  /** Evaluations of its condition that failed (threw, refused for side effects, timed out): counted as false. */
  conditionErrors?: number;
  /** The last of those failures, e.g. `TypeError: Cannot read properties of undefined (reading 'id')`. */
  lastConditionError?: string;
}

/** One captured value, bounded by the capture limits. */
export interface CapturedValue {
  name: string;
  /** `typeof`-like: string, number, boolean, undefined, object, function, symbol, bigint; plus null. */
  type: string;
  /** Primitives as text/number/boolean; objects as their description (`Array(3)`, `User`). */
  value?: string | number | boolean | null;
  members?: CapturedValue[];
  /** Why the value is incomplete: redacted, string truncated, depth/size limit, more properties. */
  note?: 'redacted' | 'truncated' | 'depth' | 'budget' | 'more' | 'internal';
}

export interface CapturedScope {
  type: string;
  variables: CapturedValue[];
}

export interface CapturedFrame {
  function: string;
  /** Original source (after source maps) as a path, or the script URL. */
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  generated?: GeneratedLocation;
  /** Present for the top `expandFrames` frames. */
  scopes?: CapturedScope[];
}

export interface WatchResult {
  expression: string;
  value?: CapturedValue;
  error?: string;
  /** How long the evaluation took, in ms. */
  ms: number;
}

export interface Snapshot {
  id: string;
  breakpointId: string;
  time: number;
  file: string;
  line: number;
  frames: CapturedFrame[];
  watches: WatchResult[];
  traceId?: string;
  spanId?: string;
  /** True when a capture limit cut something off. */
  truncated: boolean;
  /** Approximate size of the captured data in bytes. */
  bytes: number;
  /** Time spent capturing, in microseconds. */
  captureUs: number;
}

export interface LogEntry {
  seq: number;
  breakpointId: string;
  time: number;
  message: string;
  traceId?: string;
  spanId?: string;
}

export interface BreakpointAgentStats {
  /** False when the agent stays off (the process runs under --inspect, or no inspector). */
  available: boolean;
  reason?: string;
  debuggerEnabled: boolean;
  /** Duration of the last Debugger.enable (ms): it blocks the event loop while V8 lists scripts. */
  enableMs: number | null;
  enableCount: number;
  scripts: number;
  armed: number;
  /** V8 pauses on the agent's breakpoints (every run of an armed line, whatever its condition said). */
  pauses: number;
  /** Snapshots taken and messages written. */
  hits: number;
  /** Pauses whose condition was false. */
  conditionFalse: number;
  /** Condition evaluations that threw, were refused for side effects or timed out. */
  conditionErrors: number;
  /** Mean and max time our pause handler spent per pause (µs), V8's own pause cost not included. */
  handlerUsMean: number;
  handlerUsMax: number;
  snapshotsDropped: number;
  logsDropped: number;
  /** Times a rate limit took a breakpoint out of V8 for the rest of its second. */
  coolDowns: number;
  errors: number;
  writeErrors: number;
}

/** `GET {path}/api/breakpoints` */
export interface BreakpointsResponse {
  breakpoints: Breakpoint[];
  stats: BreakpointAgentStats;
}

/** Query of `GET {path}/api/snapshots`. */
export interface SnapshotsParams {
  breakpointId?: string;
  traceId?: string;
}

/** `GET {path}/api/snapshots` (newest first); `GET {path}/api/snapshots/:id` answers one `Snapshot`. */
export interface SnapshotsResponse {
  snapshots: Snapshot[];
}

/** Query of `GET {path}/api/logpoints`. */
export interface LogpointsParams {
  breakpointId?: string;
  /** Only entries with a larger `seq` (incremental reads) */
  after?: number;
}

/** `GET {path}/api/logpoints` (oldest first) */
export interface LogpointsResponse {
  logs: LogEntry[];
}

/** `GET {path}/api/sources`: paths relative to `root`, sorted */
export interface SourcesResponse {
  root: string;
  files: string[];
  /** True when the listing stopped at its limit */
  truncated: boolean;
}

/** Query of `GET {path}/api/sources/file`. */
export interface SourceFileParams {
  /** Relative to the app's root */
  path: string;
}

/** `GET {path}/api/sources/file?path=` */
export interface SourceFileResponse {
  path: string;
  text: string;
  lines: number;
}
