/**
 * Pure helpers of the Insights view: how a suspect and an incident read, the links an incident
 * offers (traces before and after, the metrics chart of its scope, the critical path), and the
 * incident's place on a timeline.
 */
import type { IncidentSummary, InsightScope, Suspect } from '@debugpanel/model';
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

/** The metrics view of an incident's scope, with the anomaly's time range to shade. */
export function metricsLink(i: Pick<IncidentSummary, 'scope' | 'startedAt' | 'endedAt'>): string {
  const s = i.scope;
  const [method, ...route] = (s.route ?? '').split(' ');
  return formatHash({
    view: 'metrics',
    params: {
      service: s.service,
      route: s.kind === 'route' ? route.join(' ') : undefined,
      method: s.kind === 'route' ? method : undefined,
      dep: s.kind === 'dependency' ? s.dependency : undefined,
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
