export { createBreakpointAgent, type BreakpointAgent, type BreakpointAgentOptions } from './agent.js';
export { createProfiler, type Profiler, type ProfilerOptions, type ProfileInfo, type ProfileRecord, type CpuProfile } from './profiler.js';
export { DebugPanelInspectorError, type DebugErrorCode } from './errors.js';
export { checkCondition, checkExpression } from './expressions.js';
export { isSourcePath, resolveUnder, SOURCE_FILE, validateShape } from './validate.js';
export type {
  Breakpoint,
  BreakpointAgentStats,
  BreakpointInput,
  BreakpointKind,
  BreakpointState,
  CaptureLimits,
  CapturedFrame,
  CapturedScope,
  CapturedValue,
  GeneratedLocation,
  LogEntry,
  Snapshot,
  WatchResult,
} from './types.js';
