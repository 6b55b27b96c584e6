/**
 * Pure helpers of the Insights view: how a suspect and an incident read, the links an incident
 * offers (traces before and after, the metrics chart of its scope, the critical path), and the
 * incident's place on a timeline.
 */
import type { IncidentSummary, InsightScope, Suspect } from '@debugpanel/model';
import { WINDOWS } from './metrics-data.js';
import { formatHash } from './route.js';

/** `inventory GET /stock`, `region=eu (inventory)` */
export function suspectName(s: Suspect): string {
  if (s.attribute) return `${s.attribute} (${s.service})`;
  return s.operation ? `${s.service} ${s.operation}` : s.service;
}

/** `GET /checkout (gateway)`, `orders -> sqlite orders.db`, `orders` */
export function scopeLabel(scope: InsightScope): string {
  if (scope.kind === 'route') return `${scope.route} (${scope.service})`;
  if (scope.kind === 'dependency') return `${scope.service} -> ${scope.dependency}`;
  if (scope.kind === 'process') return `${scope.service} process`;
  return scope.service;
}

/** Before -> after of a suspect's evidence, in its unit. */
export function evidenceChange(s: Suspect): string {
  const e = s.evidence;
  const f = (v: number) => (e.unit === 'ms' ? `${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10} ms` : `${Math.round(v * 1000) / 10}%`);
  return `${f(e.before)} → ${f(e.after)}`;
}

/**
 * The metrics view of an incident's scope, with the anomaly's time range to shade, in the
 * smallest window that still shows its start.
 */
export function metricsLink(i: Pick<IncidentSummary, 'scope' | 'startedAt' | 'endedAt'>, now = Date.now()): string {
  const s = i.scope;
  const window = windowCovering(WINDOWS, i.startedAt, now);
  const [method, ...route] = (s.route ?? '').split(' ');
  return formatHash({
    view: 'metrics',
    params: {
      service: s.service,
      route: s.kind === 'route' ? route.join(' ') : undefined,
      method: s.kind === 'route' ? method : undefined,
      dep: s.kind === 'dependency' ? s.dependency : undefined,
      window: window === '5m' ? undefined : window,
      from: String(i.startedAt),
      to: i.endedAt !== undefined ? String(i.endedAt) : undefined,
    },
  });
}

/** A trace, optionally opened on its critical path (flame tab). */
export function traceLink(traceId: string, critical = false): string {
  return formatHash({ view: 'trace', id: traceId, params: critical ? { tab: 'flame' } : undefined });
}

/** Left offset and width (0..1) of an incident on a timeline from `from` to `to`. */
export function timelineBar(i: Pick<IncidentSummary, 'startedAt' | 'endedAt'>, from: number, to: number): { left: number; width: number } {
  const span = Math.max(1, to - from);
  const a = Math.min(Math.max(i.startedAt, from), to);
  const b = Math.min(Math.max(i.endedAt ?? to, a), to);
  return { left: (a - from) / span, width: Math.max(0.005, (b - a) / span) };
}

/** Incidents that need someone: pending or firing and not acknowledged. */
export function openCount(incidents: ReadonlyArray<Pick<IncidentSummary, 'state' | 'acked'>>): number {
  return incidents.filter((i) => i.state !== 'resolved' && !i.acked).length;
}

/** A shaded time range on a metrics chart (ms since epoch). */
export interface ChartBand {
  from: number;
  to: number;
  /** `incident`: an incident of the charted scope; `focus`: the range a link asked to show */
  kind: 'incident' | 'focus';
  /** tooltip / legend text */
  label: string;
  /** the incident's id, for a link */
  id?: string;
}

/** What a metrics chart shows: a service (or all), and optionally one route or one dependency. */
export interface ChartScope {
  service?: string | undefined;
  /** `/checkout`, with `method` `GET` */
  route?: string | undefined;
  method?: string | undefined;
  dependency?: string | undefined;
}

/**
 * Whether an incident belongs on a chart of `chart`: same service (any when the chart shows all);
 * when the chart shows one route or dependency, an incident scoped to another route or dependency
 * is left out (a service-wide or process incident stays: it covers every route).
 */
export function incidentOnChart(scope: InsightScope, chart: ChartScope): boolean {
  if (chart.service !== undefined && scope.service !== chart.service) return false;
  if (chart.route !== undefined) {
    if (scope.kind === 'dependency') return false;
    if (scope.kind === 'route') {
      const [method, ...rest] = (scope.route ?? '').split(' ');
      if (rest.join(' ') !== chart.route || (chart.method !== undefined && method !== chart.method)) return false;
    }
  }
  if (chart.dependency !== undefined) {
    if (scope.kind === 'route') return false;
    if (scope.kind === 'dependency' && scope.dependency !== chart.dependency) return false;
  }
  return true;
}

/**
 * The bands to shade on a chart over [from, to]: every incident of the charted scope that overlaps
 * the window (an open one reaches `to`), clipped to it, plus the `focus` range a link gave
 * (`?from=&to=` of the Insights view's Metrics link). Oldest first.
 */
export function chartBands(
  incidents: ReadonlyArray<Pick<IncidentSummary, 'id' | 'scope' | 'startedAt' | 'endedAt' | 'title'>>,
  chart: ChartScope,
  from: number,
  to: number,
  focus?: { from: number; to?: number | undefined },
): ChartBand[] {
  const out: ChartBand[] = [];
  const clip = (a: number, b: number) => ({ from: Math.max(a, from), to: Math.min(b, to) });
  for (const i of incidents) {
    const r = clip(i.startedAt, i.endedAt ?? to);
    if (r.from >= r.to || !incidentOnChart(i.scope, chart)) continue;
    out.push({ ...r, kind: 'incident', label: i.title, id: i.id });
  }
  if (focus !== undefined && Number.isFinite(focus.from)) {
    const r = clip(focus.from, focus.to ?? to);
    if (r.from < r.to) out.push({ ...r, kind: 'focus', label: 'the selected range' });
  }
  return out.sort((a, b) => a.from - b.from);
}

/** The smallest of the metrics windows (seconds, ascending) that reaches back to `since`. */
export function windowCovering<K extends string>(windows: ReadonlyArray<{ key: K; seconds: number }>, since: number, now: number): K {
  const need = (now - since) / 1000;
  return (windows.find((w) => w.seconds >= need * 1.1) ?? windows[windows.length - 1]!).key;
}
