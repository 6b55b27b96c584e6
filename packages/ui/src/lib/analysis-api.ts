/**
 * Paths and response shapes of the flame, critical-path and dependency routes (served by
 * `debugpanel/src/routes/flame.ts` and `dependencies.ts`). The UI talks to the server through
 * JSON only, so the shapes are restated here rather than imported from the analysis packages.
 */
import type { FlatFlameNode } from './flame-layout.js';

/** Flame trees come as flat depth-first lists: see `unflattenFlame`. */
export interface TraceFlameResponse {
  traceId: string;
  flame: FlatFlameNode[];
}

export interface CriticalPathSegment {
  spanId: string;
  name: string;
  service: string;
  start: number;
  end: number;
  duration: number;
}

export interface CriticalPathResponse {
  traceId: string;
  segments: CriticalPathSegment[];
  bySpan: Record<string, number>;
}

export interface MergedFlameResponse {
  route: string;
  traces: number;
  /** Matching traces were left out (only the newest are merged) */
  truncated?: boolean;
  flame: FlatFlameNode[];
}

export interface LatencyQuantiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface MapNode {
  id: string;
  name: string;
  kind: 'service' | 'database' | 'external' | 'user';
  instrumented: boolean;
  system?: string;
  requests: number;
  errors: number;
  latency: LatencyQuantiles;
}

export interface MapEdge {
  id: string;
  source: string;
  target: string;
  requests: number;
  errors: number;
  latency: LatencyQuantiles;
  failures: { hard: number; soft: number };
  impact: 'hard' | 'soft' | 'unknown';
  traceIds: string[];
}

export interface DependenciesResponse {
  nodes: MapNode[];
  edges: MapEdge[];
  traces: number;
  truncated: boolean;
  failsWith: Record<string, { fails: string[]; mayFail: string[] }>;
}

const enc = encodeURIComponent;

export const traceFlamePath = (traceId: string): string => `api/traces/${enc(traceId)}/flame`;
export const criticalPathPath = (traceId: string): string => `api/traces/${enc(traceId)}/critical-path`;

export function mergedFlamePath(route: string, limit?: number): string {
  const q = new URLSearchParams({ route });
  if (limit !== undefined) q.set('limit', String(limit));
  return `api/flame?${q}`;
}

/** `sinceMinutes` back from `now`; undefined for every stored trace. */
export function dependenciesPath(sinceMinutes: number | undefined, now: number): string {
  return sinceMinutes === undefined ? 'api/dependencies' : `api/dependencies?since=${Math.floor(now - sinceMinutes * 60_000)}`;
}

/** Distinct routes of trace summaries, most frequent first, for the route picker. */
export function routesOf(traces: ReadonlyArray<{ route?: string }>): string[] {
  const counts = new Map<string, number>();
  for (const t of traces) if (t.route) counts.set(t.route, (counts.get(t.route) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([r]) => r);
}

export interface ProfileInfo {
  id: string;
  startedAt: number;
  seconds: number;
  samples: number;
  nodes: number;
}

export interface ProfilesResponse {
  profiles: ProfileInfo[];
  recording: boolean;
  dropped: number;
}

export interface ProfileFlameResponse extends ProfileInfo {
  flame: FlatFlameNode[];
}

export const PROFILES_PATH = 'api/profiles';
export const profileFlamePath = (id: string): string => `api/profiles/${enc(id)}/flame`;
export const profileDownloadPath = (id: string): string => `api/profiles/${enc(id)}`;

/** Seconds for a recording from a form field: a number from 0.1 to 30, else an error message. */
export function parseSeconds(text: string): { seconds: number } | { error: string } {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0.1 || n > 30) return { error: 'seconds must be a number from 0.1 to 30' };
  return { seconds: n };
}

/** POSTs a recording request; resolves with the new profile when it is done. */
export async function recordProfile(seconds: number): Promise<ProfileInfo> {
  const res = await fetch(PROFILES_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify({ seconds }),
  });
  const body = (await res.json().catch(() => ({}))) as ProfileInfo & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}
