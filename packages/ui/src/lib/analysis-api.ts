/**
 * Paths of the flame, critical-path, dependency and profile routes, and their small pure helpers.
 * The response shapes are the API contract's, in `@debugpanel/model` (`api/flame.ts`,
 * `api/dependencies.ts`, `api/profiles.ts`).
 */
import type { DependenciesParams, MergedFlameParams, ProfileInfo, ProfileRequest } from '@debugpanel/model';
import { apiPath, send } from '../api.js';

const enc = encodeURIComponent;

export const traceFlamePath = (traceId: string): string => `api/traces/${enc(traceId)}/flame`;
export const criticalPathPath = (traceId: string): string => `api/traces/${enc(traceId)}/critical-path`;

export const mergedFlamePath = (route: string, limit?: number): string => apiPath('api/flame', { route, limit } satisfies MergedFlameParams);

/** `sinceMinutes` back from `now`; undefined for every stored trace. */
export function dependenciesPath(sinceMinutes: number | undefined, now: number): string {
  const since = sinceMinutes === undefined ? undefined : Math.floor(now - sinceMinutes * 60_000);
  return apiPath('api/dependencies', { since } satisfies DependenciesParams);
}

/** Distinct routes of trace summaries, most frequent first, for the route picker. */
export function routesOf(traces: ReadonlyArray<{ route?: string }>): string[] {
  const counts = new Map<string, number>();
  for (const t of traces) if (t.route) counts.set(t.route, (counts.get(t.route) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([r]) => r);
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
  const body: ProfileRequest = { seconds };
  return (await send<ProfileInfo>('POST', PROFILES_PATH, body))!;
}
