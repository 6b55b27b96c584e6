import { describe, expect, it } from 'vitest';
import type { Suspect } from '@debugpanel/model';
import { evidenceChange, metricsLink, openCount, scopeLabel, suspectName, timelineBar, traceLink } from './insights.js';

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
    expect(metricsLink({ scope: { kind: 'route', service: 'gateway', route: 'GET /checkout' }, startedAt: 1000, endedAt: 2000 }))
      .toBe('#/metrics?service=gateway&route=%2Fcheckout&method=GET&from=1000&to=2000');
    expect(metricsLink({ scope: { kind: 'dependency', service: 'orders', dependency: 'sqlite orders.db' }, startedAt: 5 })).toBe('#/metrics?service=orders&dep=sqlite+orders.db&from=5');
    expect(traceLink('ab', true)).toBe('#/trace/ab?tab=flame');
  });
  it('places incidents on a timeline and counts the open ones', () => {
    expect(timelineBar({ startedAt: 50, endedAt: 75 }, 0, 100)).toEqual({ left: 0.5, width: 0.25 });
    expect(timelineBar({ startedAt: -50 }, 0, 100)).toEqual({ left: 0, width: 1 });
    expect(openCount([{ state: 'firing', acked: false }, { state: 'firing', acked: true }, { state: 'resolved', acked: false }, { state: 'pending', acked: false }])).toBe(2);
  });
});
