import { describe, expect, it } from 'vitest';
import type { Suspect } from '@debugpanel/model';
import { chartBands, errorGroupLine, evidenceChange, evidenceLines, findingLine, incidentOnChart, metricsLink, ms, openCount, pct, queryLine, scopeLabel, shareText, suspectName, timelineBar, traceLink, windowCovering } from './insights.js';
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

  it('formats ms and shares: whole ms from 100, one decimal under 1%', () => {
    expect([ms(205.4), ms(14.26), ms(0.04), ms(0.001), ms(0)]).toEqual(['205 ms', '14.3 ms', '0.04 ms', '0 ms', '0 ms']);
    expect([pct(0.96), pct(0.004), pct(0), pct(1)]).toEqual(['96%', '0.4%', '0%', '100%']);
    expect(shareText({ anomalousShare: 0.96, normalShare: 0.03 })).toBe('in 96% of anomalous traces, 3% of normal ones');
  });

  it('reads an error group: origin counts of both windows as rates, linked to the Errors view', () => {
    const line = errorGroupLine({ fingerprint: 'e1f2', type: 'SqliteError', message: 'disk I/O error', window: 10, baseline: 0, windowTraces: 12, baselineTraces: 40, traceIds: ['t1', 't2'] });
    expect(line).toEqual({
      kind: 'error-group', title: 'SqliteError: disk I/O error', id: 'e1f2', href: '#/errors/e1f2', traceIds: ['t1', 't2'],
      detail: 'origin of 10 of 12 failing traces in the window (83%) · 0 of 40 in the baseline',
    });
    // no relevant traces counted: bare counts, no rate
    expect(errorGroupLine({ fingerprint: 'x', type: 'Error', message: 'm', window: 3, baseline: 1, windowTraces: 0, baselineTraces: 0, traceIds: [] }).detail)
      .toBe('origin of 3 failing traces in the window · 1 in the baseline');
  });

  it('reads a query: p95 before -> after, calls per request, samples; linked to the Queries view only with a fingerprint', () => {
    const q = { statement: 'select * from stock where id = ?', system: 'sqlite', fingerprint: '0123456789abcdef', p95Before: 2.34, p95After: 140.2, callsBefore: 20, callsAfter: 19.5, samplesBefore: 240, samplesAfter: 310 };
    expect(queryLine(q)).toEqual({
      kind: 'query', title: q.statement, id: q.fingerprint, href: '#/queries/0123456789abcdef', traceIds: [],
      detail: 'sqlite · p95 2.3 ms → 140 ms · 20 → 19.5 calls per request · 240 / 310 samples',
    });
    const bare = queryLine({ ...q, fingerprint: undefined, system: undefined });
    expect(bare.href).toBeUndefined();
    expect(bare.detail.startsWith('p95 ')).toBe(true);
  });

  it('reads an N+1 finding: repeats, traces of both windows, ms per request', () => {
    const f = findingLine({ kind: 'n+1', service: 'inventory', route: 'GET /products', fingerprint: 'ab', statement: 'select 1', window: 31, baseline: 28, repeatsAfter: 20, repeatsBefore: 20, msAfter: 262.4, msBefore: 42, traceIds: ['t9'] });
    expect(f).toMatchObject({ kind: 'finding', title: 'n+1 in GET /products', href: '#/queries/ab', traceIds: ['t9'] });
    expect(f.detail).toBe('inventory · select 1 · 20 → 20 repeats per request · 31 traces in the window vs 28 in the baseline · 42 ms → 262 ms per request');
  });

  it('lists a suspect\'s evidence: error groups, then the query, then findings; an older panel\'s bare group id still links', () => {
    const e = suspect().evidence;
    expect(evidenceLines(e)).toEqual([]);
    const lines = evidenceLines({
      ...e,
      errorGroups: [{ fingerprint: 'g1', type: 'Error', message: 'boom', window: 5, baseline: 0, windowTraces: 5, baselineTraces: 9, traceIds: [] }],
      query: { statement: 's', p95Before: 1, p95After: 2, callsBefore: 1, callsAfter: 1, samplesBefore: 1, samplesAfter: 1 },
      findings: [{ kind: 'n+1', service: 'inventory', route: 'GET /p', window: 1, baseline: 0, repeatsAfter: 20, repeatsBefore: 0, msAfter: 1, msBefore: 0, traceIds: [] }],
    });
    expect(lines.map((l) => l.kind)).toEqual(['error-group', 'query', 'finding']);
    expect(evidenceLines({ ...e, errorGroup: 'g7' })).toMatchObject([{ kind: 'error-group', href: '#/errors/g7', id: 'g7' }]);
  });
});
