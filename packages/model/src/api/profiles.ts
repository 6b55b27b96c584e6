/**
 * On-demand CPU profiles: `POST {path}/api/profiles` (`ProfileRequest`; answers 201 with the
 * `ProfileInfo` once recorded), `GET {path}/api/profiles`, `GET {path}/api/profiles/:id/flame`, and
 * `GET {path}/api/profiles/:id`, the `.cpuprofile` download (a `CpuProfile`).
 */
import type { FlameNode, Flat } from './flame.js';

/** `POST {path}/api/profiles` body */
export interface ProfileRequest {
  /** Recording length, 0.1 to 30 */
  seconds: number;
}

export interface ProfileInfo {
  /** `prof_` and 12 hex digits */
  id: string;
  /** Epoch ms when recording started. */
  startedAt: number;
  seconds: number;
  samples: number;
  nodes: number;
}

/** `GET {path}/api/profiles` */
export interface ProfilesResponse {
  /** Newest first */
  profiles: ProfileInfo[];
  /** True while a recording runs */
  recording: boolean;
  /** Old profiles dropped to keep the last few */
  dropped: number;
}

/** `GET {path}/api/profiles/:id/flame`: the flame tree as a flat list (see `Flat`) */
export interface ProfileFlameResponse extends ProfileInfo {
  flame: Array<Flat<FlameNode>>;
}

/** A V8 CPU profile as `node:inspector` returns it and Chrome DevTools saves it (`.cpuprofile`). */
export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** µs */
  startTime: number;
  /** µs */
  endTime: number;
  /** Node id of each sample */
  samples?: number[];
  /** µs before each sample, relative to the previous one (the first to `startTime`) */
  timeDeltas?: number[];
}

/** A node of a V8 CPU profile (`Profiler.ProfileNode`). */
export interface CpuProfileNode {
  id: number;
  callFrame: CpuProfileCallFrame;
  hitCount?: number;
  children?: number[];
  /** Older profiles name the parent instead of the children */
  parent?: number;
  positionTicks?: Array<{ line: number; ticks: number }>;
}

/** A call frame of a V8 CPU profile (Chrome DevTools Protocol `Runtime.CallFrame`). */
export interface CpuProfileCallFrame {
  functionName: string;
  scriptId?: string | number;
  url: string;
  /** 0-based */
  lineNumber: number;
  /** 0-based */
  columnNumber: number;
}
