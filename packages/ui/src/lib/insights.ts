/**
 * Pure helpers of the Insights view: how a suspect and an incident read, the links an incident
 * offers (traces before and after, the metrics chart of its scope, the critical path), and the
 * incident's place on a timeline.
 */
import type { ErrorGroupEvidence, IncidentSummary, InsightScope, QueryEvidence, QueryFindingEvidence, Suspect, SuspectEvidence } from '@debugpanel/model';
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

/** `205 ms`, `14.3 ms`, `0.02 ms`: whole ms from 100 up, one decimal from 1, two below (a fast statement is not `0 ms`). */
export function ms(v: number): string {
  if (v >= 100) return `${Math.round(v)} ms`;
  if (v >= 1 || v === 0) return `${Math.round(v * 10) / 10} ms`;
  return `${Math.round(v * 100) / 100} ms`;
}

/** `96%`, `3%`, `0.4%`: a share (0..1) as a percentage, one decimal below 1%. */
export function pct(v: number): string {
  const p = v * 100;
  return `${p > 0 && p < 1 ? Math.round(p * 10) / 10 : Math.round(p)}%`;
}

/** Before -> after of a suspect's evidence, in its unit. */
export function evidenceChange(s: Suspect): string {
  const e = s.evidence;
  const f = (v: number) => (e.unit === 'ms' ? ms(v) : `${Math.round(v * 1000) / 10}%`);
  return `${f(e.before)} → ${f(e.after)}`;
}

/** `in 96% of anomalous traces, 3% of normal ones` */
export function shareText(e: Pick<SuspectEvidence, 'anomalousShare' | 'normalShare'>): string {
  return `in ${pct(e.anomalousShare)} of anomalous traces, ${pct(e.normalShare)} of normal ones`;
}

/** The Errors view opened on one error group. */
export function errorGroupLink(fingerprint: string): string {
  return formatHash({ view: 'errors', id: fingerprint });
}

/** The Queries view for one query fingerprint (`#/queries/<fingerprint>`). */
export function queryLink(fingerprint: string): string {
  return formatHash({ view: 'queries', id: fingerprint });
}

/** One line of evidence as the view shows it: a label, the numbers, a link when there is one. */
export interface EvidenceLine {
  kind: 'error-group' | 'query' | 'finding';
  /** `SqliteError: disk I/O error`, the statement, `n+1 in GET /products` */
  title: string;
  /** the numbers, in one sentence fragment */
  detail: string;
  /** the fingerprint (16 hex) or group id shown next to the title */
  id?: string;
  /** the Errors or Queries view */
  href?: string;
  /** example traces of the anomaly window */
  traceIds: string[];
}

/** `10 of 12 failing traces in the window (83%) · 0 of 40 in the baseline` */
export function errorGroupLine(g: ErrorGroupEvidence): EvidenceLine {
  const of = (n: number, all: number) => (all > 0 ? `${n} of ${all}` : `${n}`);
  const rate = g.windowTraces > 0 ? ` (${pct(g.window / g.windowTraces)})` : '';
  return {
    kind: 'error-group',
    title: `${g.type}: ${g.message}`,
    detail: `origin of ${of(g.window, g.windowTraces)} failing traces in the window${rate} · ${of(g.baseline, g.baselineTraces)} in the baseline`,
    id: g.fingerprint,
    href: errorGroupLink(g.fingerprint),
    traceIds: g.traceIds,
  };
}

/** `p95 2.3 ms → 14 ms · 20 → 20 calls per request · 240 / 310 samples` */
export function queryLine(q: QueryEvidence): EvidenceLine {
  const calls = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  return {
    kind: 'query',
    title: q.statement,
    detail: `${q.system ? `${q.system} · ` : ''}p95 ${ms(q.p95Before)} → ${ms(q.p95After)} · ${calls(q.callsBefore)} → ${calls(q.callsAfter)} calls per request · ${q.samplesBefore} / ${q.samplesAfter} samples`,
    ...(q.fingerprint ? { id: q.fingerprint, href: queryLink(q.fingerprint) } : {}),
    traceIds: [],
  };
}

/** `inventory · 20 → 20 repeats per request · 31 traces in the window vs 28 in the baseline · 42 → 262 ms per request` */
export function findingLine(f: QueryFindingEvidence): EvidenceLine {
  const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  return {
    kind: 'finding',
    title: `${f.kind} in ${f.route}`,
    detail: `${f.service}${f.statement ? ` · ${f.statement}` : ''} · ${n(f.repeatsBefore)} → ${n(f.repeatsAfter)} repeats per request · ${f.window} traces in the window vs ${f.baseline} in the baseline · ${ms(f.msBefore)} → ${ms(f.msAfter)} per request`,
    ...(f.fingerprint ? { id: f.fingerprint, href: queryLink(f.fingerprint) } : {}),
    traceIds: f.traceIds,
  };
}

/**
 * The evidence a suspect carries beyond its numbers, in the order the view lists it: its error
 * groups (or, from an older panel, the one `errorGroup` id), its query, its query findings.
 */
export function evidenceLines(e: SuspectEvidence): EvidenceLine[] {
  const out: EvidenceLine[] = [];
  if (e.errorGroups?.length) out.push(...e.errorGroups.map(errorGroupLine));
  else if (e.errorGroup) out.push({ kind: 'error-group', title: 'error group', detail: 'the origin spans\' group', id: e.errorGroup, href: errorGroupLink(e.errorGroup), traceIds: [] });
  if (e.query) out.push(queryLine(e.query));
  for (const f of e.findings ?? []) out.push(findingLine(f));
  return out;
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
