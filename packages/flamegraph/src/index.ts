/**
 * @debugpanel/flamegraph: spans or V8 CPU profiles as flame trees, many traces merged into one,
 * and the critical path of a trace. Pure functions over `ReadonlyArray<SpanRecord>`.
 *
 * @example
 * import { buildTraceFlame, criticalPath } from '@debugpanel/flamegraph';
 * const flame = buildTraceFlame(spans);
 * const path = criticalPath(spans);
 */
export type { FlameNode, MergedFlameNode, CriticalPathSegment } from './types.js';
export { buildTraceFlame, SYNTHETIC_ROOT_NAME } from './trace-flame.js';
export { criticalPath, isFollowsFrom } from './critical-path.js';
export { mergeFlames, MERGED_ROOT_NAME } from './merge.js';
export { fromCpuProfile, codeOrigin } from './cpu-profile.js';
export { flattenFlame } from './flatten.js';
export type { Flat } from './flatten.js';
export type { CpuProfile, CpuProfileNode, CpuProfileCallFrame } from './cpu-profile.js';
