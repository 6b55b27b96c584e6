export { createBreakpointAgent, type BreakpointAgent, type BreakpointAgentOptions, type BreakpointAgentStats } from './agent.js';
export { createProfiler, type Profiler, type ProfilerOptions, type ProfileInfo, type ProfileRecord, type CpuProfile } from './profiler.js';
export { DebugPanelInspectorError, type DebugErrorCode } from './errors.js';
export { checkCondition, checkExpressionSyntax } from './expressions.js';
export { DEFAULT_REDACT } from './redact.js';
// Breakpoint, BreakpointInput, Snapshot, CapturedValue, LogEntry, ... (the API's types) and CaptureLimits.
export type * from './types.js';
