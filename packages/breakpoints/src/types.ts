/**
 * Breakpoints, snapshots and log entries are what the panel's API sends, so they are declared once
 * in `@debugpanel/model` (`api/breakpoints.ts`) and re-exported here.
 */
export type {
  Breakpoint,
  BreakpointAgentStats,
  BreakpointInput,
  BreakpointKind,
  BreakpointState,
  CapturedFrame,
  CapturedScope,
  CapturedValue,
  GeneratedLocation,
  LogEntry,
  Snapshot,
  WatchResult,
} from '@debugpanel/model';

/** Capture limits (defaults follow cloud-debug-nodejs). */
export interface CaptureLimits {
  /** Stack frames recorded. Default 20. */
  maxFrames: number;
  /** Top frames whose scopes are captured. Default 5. */
  expandFrames: number;
  /** Variables per scope. Default 30. */
  maxLocals: number;
  /** Object nesting depth expanded below a variable. Default 2. */
  maxDepth: number;
  /** Properties per object. Default 10. */
  maxProperties: number;
  /** Characters per string. Default 100. */
  maxStringLength: number;
  /** Approximate bytes per snapshot. Default 20 KB. */
  maxBytes: number;
}
