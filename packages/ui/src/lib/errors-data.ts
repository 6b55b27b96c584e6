/**
 * Pure parts of the Errors view: the hash's filters to the API's query, the sparkline of a
 * group's per-minute series, and the frames worth showing first.
 */
import type { ErrorFrame, ErrorsParam } from '@debugpanel/model';

/** The filters the Errors view keeps in its hash and passes to `api/errors`. */
export const ERROR_FILTERS = ['service', 'route', 'user', 'release', 'source'] as const satisfies readonly ErrorsParam[];
export type ErrorFilter = (typeof ERROR_FILTERS)[number];

/** `api/errors?...` from the view's hash parameters (only the known filters, non-empty, and the shared `since`). */
export function errorsPath(params: URLSearchParams): string {
  const q = new URLSearchParams();
  for (const key of ERROR_FILTERS) {
    const v = params.get(key);
    if (v) q.set(key, v);
  }
  // The shared window's start (lib/context.ts); the API has no end of a window.
  const since = Number(params.get('since') ?? '');
  if (params.get('since') && Number.isFinite(since) && since >= 0) q.set('since', String(since));
  const qs = q.toString();
  return qs ? `api/errors?${qs}` : 'api/errors';
}

export function errorPath(fingerprint: string): string {
  return `api/errors/${encodeURIComponent(fingerprint)}`;
}

/**
 * The points of an SVG polyline for `series` in a `width` x `height` box: oldest at the left, the
 * tallest bucket at the top, zero on the bottom line (so a flat line means "none"). A series of
 * one value is drawn across the whole width.
 *
 * @example
 * sparkline([0, 2, 1], 20, 10); // '0,10 10,0 20,5'
 */
export function sparkline(series: readonly number[], width: number, height: number): string {
  if (series.length === 0) return '';
  const max = Math.max(1, ...series);
  const step = series.length > 1 ? width / (series.length - 1) : 0;
  const pts = series.map((v, i) => `${round(i * step)},${round(height - (v / max) * height)}`);
  if (series.length === 1) pts.push(`${width},${round(height - (series[0]! / max) * height)}`);
  return pts.join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Occurrences in the last `minutes` of a series (its newest buckets). */
export function recentCount(series: readonly number[], minutes: number): number {
  let n = 0;
  for (let i = Math.max(0, series.length - minutes); i < series.length; i++) n += series[i]!;
  return n;
}

/**
 * The frames to show open: the in-app ones, and the first frame whatever it is (where it was
 * thrown, even inside a library); the rest are folded behind a "show all" toggle.
 */
export function visibleFrames(frames: readonly ErrorFrame[], all: boolean): Array<ErrorFrame & { index: number }> {
  return frames.map((f, index) => ({ ...f, index })).filter((f) => all || f.inApp || f.index === 0);
}

/** `src/pricing.ts:32` (the file's last two segments and the line) for a frame. */
export function frameLocation(f: ErrorFrame): string {
  if (!f.file) return f.module;
  const parts = f.file.replace(/^file:\/\//, '').split(/[\\/]/);
  const short = parts.slice(-2).join('/');
  return f.line === undefined ? short : `${short}:${f.line}${f.column === undefined ? '' : `:${f.column}`}`;
}
