/**
 * Golden signals: the JSON of `GET api/metrics` and `GET api/metrics/table` shaped for uPlot and
 * the tables. Pure functions, so the view only draws (DESIGN principle 6).
 */
import type { MetricsParams, MetricsResponse, MetricsTableParams, MetricsTableResponse, ProcessSample, RouteRow, SeriesLabels, SeriesPoints } from '@debugpanel/model';
import { apiPath } from '../api.js';
import { formatHash } from './route.js';

// The JSON shapes are the API contract's (@debugpanel/model, api/metrics.ts), under the names this view uses.
export type { MetricsResponse, SeriesPoints };
export type MetricLabels = SeriesLabels;
export type TableRow = RouteRow;
export type TableResponse = MetricsTableResponse;
export type ProcessKey = keyof ProcessSample;

/** uPlot's data layout: x values first (seconds), then one array per series; null draws a gap. */
export type ChartData = [number[], ...Array<Array<number | null>>];

export const WINDOWS = [
  { key: '5m', seconds: 300 },
  { key: '15m', seconds: 900 },
  { key: '1h', seconds: 3600 },
  { key: '6h', seconds: 21_600 },
] as const;
export type WindowKey = (typeof WINDOWS)[number]['key'];

/** The `?window=` of the hash, defaulting to 5m for anything unknown. */
export function parseWindowKey(v: string | null | undefined): WindowKey {
  return WINDOWS.some((w) => w.key === v) ? (v as WindowKey) : '5m';
}

/** A route picked in the table: the server keys routes by service, method and template. */
export interface RouteKey {
  service?: string;
  method?: string;
  route: string;
}

/** `api/metrics?...` for the service-wide series (no route), one route, or one dependency. */
export function metricsPath(q: { service?: string; route?: string; dependency?: string; window: WindowKey }): string {
  if (q.dependency) return apiPath('api/metrics', { kind: 'client', service: q.service, dependency: q.dependency, window: q.window } satisfies MetricsParams);
  return apiPath('api/metrics', { service: q.service, route: q.route, window: q.window } satisfies MetricsParams);
}

/** The routes or dependencies table over the window, or over a picked range `[from, to]` (ms). */
export function tablePath(kind: 'server' | 'client', window: WindowKey, service?: string, range?: { from: number; to?: number | undefined }): string {
  if (range === undefined) return apiPath('api/metrics/table', { kind, window, service } satisfies MetricsTableParams);
  const seconds = Math.min(WINDOWS[WINDOWS.length - 1]!.seconds, Math.max(1, Math.ceil(((range.to ?? Date.now()) - range.from) / 1000)));
  return apiPath('api/metrics/table', {
    kind, window: `${seconds}s`, service, until: range.to !== undefined ? String(Math.ceil(range.to)) : undefined,
  } satisfies MetricsTableParams);
}

/**
 * The series a chart shows: the one matching `method` when given (a route may be served under
 * several methods), else all of them merged (see `mergeSeries`). Undefined when none.
 */
export function pickSeries(series: readonly SeriesPoints[], method?: string): SeriesPoints | undefined {
  const picked = method ? series.filter((s) => s.labels.method === method) : series;
  if (picked.length === 0) return undefined;
  return picked.length === 1 ? picked[0] : mergeSeries(picked);
}

/**
 * Several series of the same time axis as one: counts, rates and errors add up; percentiles take
 * the count-weighted mean (an approximation: exact merging needs the histograms, which the API
 * does not send) and max the maximum; the exemplar is the slowest series' one.
 */
export function mergeSeries(list: readonly SeriesPoints[]): SeriesPoints {
  const first = list[0]!;
  const n = first.count.length;
  const out: SeriesPoints = {
    labels: { ...first.labels, method: list.every((s) => s.labels.method === first.labels.method) ? first.labels.method : undefined },
    rate: [], count: [], errors: [], errorRate: [], p50: [], p95: [], p99: [], max: [], exemplars: [],
  };
  for (let i = 0; i < n; i++) {
    let count = 0;
    let errors = 0;
    let rate = 0;
    let p50 = 0;
    let p95 = 0;
    let p99 = 0;
    let max = 0;
    let exemplar: string | null = null;
    for (const s of list) {
      const c = s.count[i] ?? 0;
      count += c;
      errors += s.errors[i] ?? 0;
      rate += s.rate[i] ?? 0;
      p50 += (s.p50[i] ?? 0) * c;
      p95 += (s.p95[i] ?? 0) * c;
      p99 += (s.p99[i] ?? 0) * c;
      if ((s.max[i] ?? 0) >= max && c > 0) {
        max = s.max[i] ?? 0;
        exemplar = s.exemplars[i] ?? exemplar;
      }
    }
    out.count.push(count);
    out.errors.push(errors);
    out.rate.push(rate);
    out.errorRate.push(count ? errors / count : 0);
    out.p50.push(count ? p50 / count : 0);
    out.p95.push(count ? p95 / count : 0);
    out.p99.push(count ? p99 / count : 0);
    out.max.push(max);
    out.exemplars.push(exemplar);
  }
  return out;
}

const seconds = (times: readonly number[]) => times.map((t) => t / 1000);

/** Latency p50/p95/p99 (ms); slots without requests are gaps, not a fake 0 ms. */
export function latencyData(times: readonly number[], s: SeriesPoints | undefined): ChartData {
  const gap = (arr: readonly number[] | undefined) => times.map((_, i) => (s && (s.count[i] ?? 0) > 0 ? (arr?.[i] ?? null) : null));
  return [seconds(times), gap(s?.p50), gap(s?.p95), gap(s?.p99)];
}

/** Requests per second, and errors per second under it (`resolution`: seconds per point). */
export function trafficData(times: readonly number[], s: SeriesPoints | undefined, resolution: number): ChartData {
  const res = resolution > 0 ? resolution : 1;
  return [seconds(times), times.map((_, i) => s?.rate[i] ?? 0), times.map((_, i) => (s?.errors[i] ?? 0) / res)];
}

/** Error rate in percent; a slot without requests is a gap (0 of 0 is not "0% errors"). */
export function errorData(times: readonly number[], s: SeriesPoints | undefined): ChartData {
  return [seconds(times), times.map((_, i) => (s && (s.count[i] ?? 0) > 0 ? (s.errorRate[i] ?? 0) * 100 : null))];
}

/**
 * Saturation of the process: event-loop delay p99 (ms, left axis), event-loop utilization and CPU
 * (percent, right axis). A slot the sampler never wrote comes as all zeros: drawn as a gap.
 */
export function saturationData(times: readonly number[], p: Partial<Record<ProcessKey, number[]>> | undefined): ChartData {
  const written = (i: number) => !!p && ((p.heapUsed?.[i] ?? 0) > 0 || (p.rss?.[i] ?? 0) > 0);
  const col = (key: ProcessKey, scale = 1) => times.map((_, i) => (written(i) ? (p?.[key]?.[i] ?? 0) * scale : null));
  return [seconds(times), col('eventLoopDelayP99'), col('eventLoopUtilization', 100), col('cpu', 100)];
}

/** Heap used, heap total and RSS in bytes. */
export function memoryData(times: readonly number[], p: Partial<Record<ProcessKey, number[]>> | undefined): ChartData {
  const written = (i: number) => !!p && ((p.heapUsed?.[i] ?? 0) > 0 || (p.rss?.[i] ?? 0) > 0);
  const col = (key: ProcessKey) => times.map((_, i) => (written(i) ? (p?.[key]?.[i] ?? 0) : null));
  return [seconds(times), col('heapUsed'), col('heapTotal'), col('rss')];
}

/** The last value that is not a gap, for the chart headers ("p99 12ms now"). */
export function lastValue(arr: ReadonlyArray<number | null> | undefined): number | undefined {
  if (!arr) return undefined;
  for (let i = arr.length - 1; i >= 0; i--) {
    const v = arr[i];
    if (v !== null && v !== undefined) return v;
  }
  return undefined;
}

export type SortKey = 'p99' | 'errorRate' | 'rate' | 'p50' | 'count' | 'name';

/** The row's display name: `GET /orders/:id` for a route, `sqlite orders.db` for a dependency. */
export function rowName(l: MetricLabels): string {
  if (l.kind === 'client') return l.dependency ?? 'unknown';
  return l.method && l.method !== '_OTHER' ? `${l.method} ${l.route ?? ''}` : (l.route ?? '');
}

/** A stable key for a row (service, method, route or dependency). */
export function rowKey(l: MetricLabels): string {
  return [l.kind, l.service, l.method ?? '', l.route ?? '', l.dependency ?? ''].join('\u0000');
}

/**
 * Rows sorted by a column, descending for figures (worst first) and ascending for names; ties
 * fall back to the name so the order is stable from one refresh to the next.
 */
export function sortRows(rows: readonly TableRow[], key: SortKey, desc = key !== 'name'): TableRow[] {
  const dir = desc ? -1 : 1;
  const byName = (a: TableRow, b: TableRow) => {
    const x = `${a.labels.service}\u0000${rowName(a.labels)}`;
    const y = `${b.labels.service}\u0000${rowName(b.labels)}`;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return [...rows].sort((a, b) => {
    if (key === 'name') return dir * byName(a, b);
    const d = (a[key] - b[key]) * dir;
    return d !== 0 && Number.isFinite(d) ? d : byName(a, b);
  });
}

/**
 * An SVG path (`M x y L ...`) of a sparkline in a `width` x `height` box, zero at the bottom;
 * empty when every value is 0, so a quiet route shows a flat baseline drawn by CSS instead.
 */
export function sparkPath(values: readonly number[], width: number, height: number): string {
  const n = values.length;
  if (n === 0) return '';
  let max = 0;
  for (const v of values) if (Number.isFinite(v) && v > max) max = v;
  if (max <= 0) return '';
  const step = n > 1 ? width / (n - 1) : 0;
  const pad = 1; // keep the stroke inside the box
  let d = '';
  for (let i = 0; i < n; i++) {
    const v = Number.isFinite(values[i]) ? Math.max(0, values[i]!) : 0;
    const x = Math.round(i * step * 10) / 10;
    const y = Math.round((height - pad - (v / max) * (height - 2 * pad)) * 10) / 10;
    d += `${i === 0 ? 'M' : 'L'}${x} ${y}`;
  }
  return d;
}

/**
 * Where a click on a chart point goes: the point's exemplar trace when it has one, else the
 * traces of that route in that time slot.
 */
export function pointLink(opts: { time: number; resolution: number; exemplar?: string | null; service?: string; route?: string; status?: 'error' }): string {
  if (opts.exemplar) return formatHash({ view: 'trace', id: opts.exemplar });
  return tracesLink({ service: opts.service, route: opts.route, status: opts.status, since: opts.time, until: opts.time + opts.resolution * 1000 });
}

/** `#/traces?service=&route=&since=&until=` (times in ms); `*` (service-wide) is no route filter. */
export function tracesLink(opts: { service?: string; route?: string; status?: 'error'; since?: number; until?: number }): string {
  return formatHash({
    view: 'traces',
    params: {
      service: opts.service,
      route: opts.route && opts.route !== '*' ? opts.route : undefined,
      status: opts.status,
      since: opts.since !== undefined ? String(Math.floor(opts.since)) : undefined,
      until: opts.until !== undefined ? String(Math.ceil(opts.until)) : undefined,
    },
  });
}

/** 0.0123 -> "1.23%", 0 -> "0%" */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  const p = fraction * 100;
  if (p === 0) return '0%';
  if (p < 0.01) return '<0.01%';
  if (p < 10) return `${trimZeros(p.toFixed(2))}%`;
  return `${trimZeros(p.toFixed(1))}%`;
}

/** Requests per second: "0.2/s", "12/s", "1.2k/s" */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '–';
  if (perSecond === 0) return '0/s';
  if (perSecond < 10) return `${trimZeros(perSecond.toFixed(2))}/s`;
  if (perSecond < 1000) return `${trimZeros(perSecond.toFixed(1))}/s`;
  return `${trimZeros((perSecond / 1000).toFixed(1))}k/s`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** An x-axis tick (epoch seconds): `14:05` when ticks are a minute or more apart, else `14:05:30`. */
export function formatTimeTick(epochSeconds: number, incrSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return incrSeconds >= 60 ? hm : `${hm}:${p(d.getSeconds())}`;
}

/** Width in CSS px of a y axis whose longest tick label is in `values` (11px system font). */
export function axisWidth(values: readonly (string | number | null)[] | null | undefined): number {
  let longest = 1;
  for (const v of values ?? []) if (v !== null && String(v).length > longest) longest = String(v).length;
  return Math.ceil(longest * 6.4) + 10;
}
