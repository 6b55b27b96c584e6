import { describe, expect, it } from 'vitest';
import type { Suspect } from '@debugpanel/model';
import { chartBands, evidenceChange, incidentOnChart, metricsLink, openCount, scopeLabel, suspectName, timelineBar, traceLink, windowCovering } from './insights.js';
import { WINDOWS } from './metrics-data.js';

const suspect = (over: Partial<Suspect> = {}): Suspect => ({
  service: 'inventory', operation: 'GET /stock', kind: 'self-time', score: 0.9,
  evidence: { before: 5, after: 205, unit: 'ms', anomalousShare: 0.96, normalShare: 0.03, ochiai: 1, dstar2: 3, anomalousTraces: [], normalTraces: [], sentence: 's' },
  ...over,
});

describe('insights view helpers', () => {
  it('names suspects and scopes', () => {
    expect(suspectName(suspect())).toBe('inventory GET /stock');
    expect(suspectName(suspect({ attribute: 'region=eu', operation: undefined, kind: 'attribute' }))).toBe('region=eu (inventory)');
    expect(scopeLabel({ kind: 'route', service: 'gateway', route: 'GET /checkout' })).toBe('GET /checkout (gateway)');
    expect(scopeLabel({ kind: 'dependency', service: 'orders', dependency: 'sqlite orders.db' })).toBe('orders -> sqlite orders.db');
  });
  it('shows the change in the evidence unit', () => {
    expect(evidenceChange(suspect())).toBe('5 ms → 205 ms');
    expect(evidenceChange(suspect({ evidence: { ...suspect().evidence, unit: 'ratio', before: 0.012, after: 0.2 } }))).toBe('1.2% → 20%');
  });
  it('links to the metrics of the scope with the anomaly range, and to traces', () => {
    expect(metricsLink({ scope: { kind: 'route', service: 'gateway', route: 'GET /checkout' }, startedAt: 1000, endedAt: 2000 }, 60_000))
      .toBe('#/metrics?service=gateway&route=%2Fcheckout&method=GET&from=1000&to=2000');
    expect(metricsLink({ scope: { kind: 'dependency', service: 'orders', dependency: 'sqlite orders.db' }, startedAt: 5 }, 60_000)).toBe('#/metrics?service=orders&dep=sqlite+orders.db&from=5');
    expect(traceLink('ab', true)).toBe('#/trace/ab?tab=flame');
  });
  it('places incidents on a timeline and counts the open ones', () => {
    expect(timelineBar({ startedAt: 50, endedAt: 75 }, 0, 100)).toEqual({ left: 0.5, width: 0.25 });
    expect(timelineBar({ startedAt: -50 }, 0, 100)).toEqual({ left: 0, width: 1 });
    expect(openCount([{ state: 'firing', acked: false }, { state: 'firing', acked: true }, { state: 'resolved', acked: false }, { state: 'pending', acked: false }])).toBe(2);
  });

  it('opens the metrics in the smallest window that shows the incident start', () => {
    const now = 10_000_000;
    expect(windowCovering(WINDOWS, now - 60_000, now)).toBe('5m');
    expect(windowCovering(WINDOWS, now - 20 * 60_000, now)).toBe('1h');
    expect(windowCovering(WINDOWS, now - 48 * 3600_000, now)).toBe('6h');
    expect(metricsLink({ scope: { kind: 'service', service: 'orders' }, startedAt: now - 10 * 60_000 }, now)).toBe(`#/metrics?service=orders&window=15m&from=${now - 600_000}`);
  });

  it('puts an incident on the charts of its scope only', () => {
    const route = { kind: 'route', service: 'gateway', route: 'GET /checkout' } as const;
    const dep = { kind: 'dependency', service: 'orders', dependency: 'sqlite orders.db' } as const;
    const svc = { kind: 'service', service: 'orders' } as const;
    expect(incidentOnChart(route, {})).toBe(true);
    expect(incidentOnChart(route, { service: 'gateway' })).toBe(true);
    expect(incidentOnChart(route, { service: 'orders' })).toBe(false);
    expect(incidentOnChart(route, { service: 'gateway', route: '/checkout', method: 'GET' })).toBe(true);
    expect(incidentOnChart(route, { service: 'gateway', route: '/checkout', method: 'POST' })).toBe(false);
    expect(incidentOnChart(route, { service: 'gateway', route: '/products' })).toBe(false);
    expect(incidentOnChart(route, { service: 'gateway', dependency: 'orders' })).toBe(false);
    expect(incidentOnChart(dep, { service: 'orders', dependency: 'sqlite orders.db' })).toBe(true);
    expect(incidentOnChart(dep, { service: 'orders', dependency: 'inventory' })).toBe(false);
    expect(incidentOnChart(dep, { service: 'orders', route: '/orders' })).toBe(false);
    // a service-wide incident covers every route and dependency of the service
    expect(incidentOnChart(svc, { service: 'orders', route: '/orders' })).toBe(true);
    expect(incidentOnChart(svc, { service: 'orders', dependency: 'sqlite orders.db' })).toBe(true);
  });

  it('shades the incidents overlapping the window, clipped, an open one to the end, and the selected range', () => {
    const inc = (id: string, startedAt: number, endedAt?: number, service = 'gateway') => ({
      id, startedAt, endedAt, title: `t${id}`, scope: { kind: 'service' as const, service },
    });
    const bands = chartBands([inc('open', 900), inc('old', 10, 50), inc('clipped', 50, 150), inc('other', 120, 130, 'orders')], { service: 'gateway' }, 100, 1000, { from: 400, to: 500 });
    expect(bands).toEqual([
      { from: 100, to: 150, kind: 'incident', label: 'tclipped', id: 'clipped' },
      { from: 400, to: 500, kind: 'focus', label: 'the selected range' },
      { from: 900, to: 1000, kind: 'incident', label: 'topen', id: 'open' },
    ]);
    expect(chartBands([], {}, 100, 1000, { from: Number.NaN })).toEqual([]);
    expect(chartBands([], {}, 100, 1000, { from: 1500 })).toEqual([]);
  });
});
