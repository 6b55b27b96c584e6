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
  /**
   * On a hub: the service that runs the file (a name from `SourcesResponse.entries[].services`).
   * Another service's breakpoint travels to it over its hub connection; absent or the hub's own
   * name: this process.
   */
  service?: string;
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
  /** The service whose process holds it (set in every answer of a panel; a hub lists other services' too). */
  service?: string;
  /**
   * A breakpoint a hub holds for another service: `sent` until that service's panel pulled it,
   * `installed` once it reported its state, `refused` when it would not set it (`error` says why).
   */
  delivery?: 'sent' | 'installed' | 'refused';
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
  /**
   * How long the capture held the paused thread, in microseconds: from the pause handler's start
   * to the end of the capture (the request that hit the line waited this long, and so did every
   * other request of the process).
   */
  captureUs: number;
  /** The service that captured it (a hub lists other services' snapshots too). */
  service?: string;
}

export interface LogEntry {
  seq: number;
  breakpointId: string;
  time: number;
  message: string;
  traceId?: string;
  spanId?: string;
  /** The service that wrote it, on a hub's lines from other services (their `seq` is the hub's own: read them with `hubAfter`) */
  service?: string;
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
  /** On a hub: only other services' lines with a larger hub `seq` */
  hubAfter?: number;
}

/** `GET {path}/api/logpoints` (oldest first) */
export interface LogpointsResponse {
  logs: LogEntry[];
}

/** `GET {path}/api/sources`: paths relative to `root`, sorted */
export interface SourcesResponse {
  root: string;
  /** The paths of `entries` */
  files: string[];
  /**
   * Each file with the services that run it (a static import walk from each service's entry
   * script; empty: no service imports it). A hub lists the files of every service that sends to it.
   */
  entries: SourceEntry[];
  /** Every service in the list, the answering panel's first */
  services: string[];
  /** Services whose list has not reached the hub yet (ask again in a second or two) */
  waiting: string[];
  /** Tests (`*.test.ts`, `__tests__/`) and build output with a source-mapped original left out */
  hidden: number;
  /** True when the listing stopped at its limit */
  truncated: boolean;
}

export interface SourceEntry {
  /** Relative to `root` (or to `root` of its entry, when a service runs in another folder) */
  path: string;
  services: string[];
  /** Set when the service's root differs from the answering panel's */
  root?: string;
}

/**
 * `POST {hub}/api/breakpoints/sync`: what a service that sends to a hub tells it at every pull
 * (the states, snapshots and logpoint lines of the breakpoints the hub gave it), answered with the
 * breakpoints the hub holds for it. Every part is bounded; what does not fit is counted in `dropped`.
 */
export interface BreakpointSyncRequest {
  service: string;
  root: string;
  /** One per breakpoint of the last answer: its state in the service, or why it was refused */
  states: Array<{ id: string; breakpoint?: Breakpoint; error?: string }>;
  /** New snapshots of those breakpoints (`breakpointId` is the hub's id) */
  snapshots: Snapshot[];
  /** New logpoint lines of those breakpoints (`breakpointId` is the hub's id) */
  logs: LogEntry[];
  /** The service's source list, when the hub asked for it */
  sources?: { files: Array<{ path: string; runs: boolean }>; truncated: boolean };
  /** Snapshots and log lines that could not be sent (the queue was full) since the service started */
  dropped: { snapshots: number; logs: number };
}

export interface BreakpointSyncResponse {
  /** The breakpoints the hub holds for the service; the ones it no longer lists are removed there */
  breakpoints: Array<{ id: string; input: BreakpointInput; createdAt: number }>;
  /** True when the hub wants the service's source list with the next sync */
  wantSources: boolean;
  pollMs: number;
}

/** The hub's side of the channel, in `GET {path}/api/stats` (`breakpointHub`). */
export interface BreakpointHubStats {
  services: number;
  breakpoints: number;
  snapshots: number;
  syncs: number;
  /** Sync requests refused (bad shape, too large) */
  refused: number;
  /** Snapshots and log lines the hub's bounded lists evicted, and those the services could not send */
  snapshotsDropped: number;
  logsDropped: number;
}

/** The service's side, in `GET {path}/api/stats` (`breakpointLink`). */
export interface BreakpointLinkStats {
  syncs: number;
  syncErrors: number;
  lastSyncError?: string;
  /** Breakpoints from the hub set here, and refused here (the same checks as the local API) */
  installed: number;
  refused: number;
  snapshotsSent: number;
  snapshotsDropped: number;
  logsSent: number;
  logsDropped: number;
}

/** Query of `GET {path}/api/sources/file`. */
export interface SourceFileParams {
  /** Relative to the app's root */
  path: string;
  /** On a hub: the service the file belongs to (for a clearer 404 when it runs in another folder) */
  service?: string;
}

/** `GET {path}/api/sources/file?path=` */
export interface SourceFileResponse {
  path: string;
  text: string;
  lines: number;
}
