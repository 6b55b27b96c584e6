import type { MetricsResponse, SeriesPoints } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { Detector, scopeOf, shareAbove } from './detector.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const labels = { kind: 'server' as const, service: 'shop', method: 'GET', route: '/checkout' };

function series(n: number, f: (i: number) => { count: number; errors?: number; p95: number }): SeriesPoints {
  const s: SeriesPoints = { labels, rate: [], count: [], errors: [], errorRate: [], p50: [], p95: [], p99: [], max: [], exemplars: [] };
  for (let i = 0; i < n; i++) {
    const v = f(i);
    s.count.push(v.count);
    s.rate.push(v.count);
    s.errors.push(v.errors ?? 0);
    s.errorRate.push(v.count ? (v.errors ?? 0) / v.count : 0);
    s.p50.push(v.p95 * 0.7);
    s.p95.push(v.p95);
    s.p99.push(v.p95 * 1.3);
    s.max.push(v.p95 * 2);
    s.exemplars.push(null);
  }
  return s;
}
/** 6 h of coarse slots (10 s) ending 20 s before now. */
function coarse(f: (i: number) => { count: number; errors?: number; p95: number }, slots = 2160): MetricsResponse {
  const start = NOW - 20_000 - slots * 10_000;
  return { resolution: 10, times: Array.from({ length: slots }, (_, i) => start + i * 10_000), series: [series(slots, f)] };
}
function fine(f: (i: number) => { count: number; errors?: number; p95: number }, n = 15): MetricsResponse {
  return { resolution: 1, times: Array.from({ length: n }, (_, i) => NOW - (n - i) * 1000), series: [series(n, f)] };
}

describe('Detector', () => {
  it('names scopes from metric labels and skips folded series', () => {
    expect(scopeOf(labels)).toEqual({ kind: 'route', service: 'shop', route: 'GET /checkout' });
    expect(scopeOf({ kind: 'server', service: 'shop', route: '*' })).toEqual({ kind: 'service', service: 'shop' });
    expect(scopeOf({ kind: 'client', service: 'shop', dependency: 'sqlite shop.db', type: 'db' })).toEqual({ kind: 'dependency', service: 'shop', dependency: 'sqlite shop.db' });
    expect(scopeOf({ kind: 'server', service: 'shop', method: 'other', route: 'other' })).toBeUndefined();
  });

  it('has a robust baseline: a few wild slots do not move the median or the MAD much', () => {
    const d = new Detector({ openTicks: 1 });
    d.tick({ now: NOW, fine: fine(() => ({ count: 10, p95: 50 })), coarse: coarse((i) => ({ count: 100, p95: i % 50 === 0 ? 5000 : 50 + (i % 5) })) });
    const [b] = d.baselines();
    expect(b).toMatchObject({ ready: true, p95: 52 });
    expect(b!.p95Mad).toBeLessThanOrEqual(2);
  });

  it('tests the error rate against the baseline: 3 of 30 at a 10% baseline is nothing, 24 of 60 is', () => {
    const base = coarse(() => ({ count: 100, errors: 10, p95: 50 }));
    const quiet = new Detector({ openTicks: 1 });
    expect(quiet.tick({ now: NOW, fine: fine((i) => ({ count: 2, errors: i < 3 ? 1 : 0, p95: 50 })), coarse: base }).opened).toEqual([]);
    const loud = new Detector({ openTicks: 1 });
    const { opened } = loud.tick({ now: NOW, fine: fine((i) => ({ count: 4, errors: i < 12 ? 2 : 0, p95: 50 })), coarse: base });
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ signal: 'errors', baseline: 0.1, current: 0.4, unit: 'ratio' });
    expect(opened[0]!.pValue).toBeLessThan(1e-6);
  });

  it('few requests: the error test reads two windows, where 20% errors at 4 req/s pass; latency reads the last window only', () => {
    // a 10 s window; 5% baseline errors at 4 requests a second; then 20% (8 of every 40)
    const base = coarse(() => ({ count: 40, errors: 2, p95: 50 }));
    const errs = (i: number) => ({ count: 4, errors: i % 5 === 4 ? 0 : 1, p95: 50 });
    const opts = { openTicks: 1, alpha: 1e-4, windowSeconds: 10 };
    // one window, 8 errors of 40 requests: p = 7e-4, not significant at 1e-4 ...
    expect(new Detector(opts).tick({ now: NOW, fine: fine(errs, 10), coarse: base }).opened).toEqual([]);
    // ... two windows, 16 of 80: it is, and the detail says over which time
    const { opened } = new Detector(opts).tick({ now: NOW, fine: fine(errs, 20), coarse: base });
    expect(opened).toHaveLength(1);
    expect(opened[0]!.detail).toMatch(/\(16 of 80\) over the last 20 s/);
    // a busy series is judged on its last window alone: errors 10-20 s ago do not count
    const old = (i: number) => ({ count: 12, errors: i < 10 ? 6 : 0, p95: 50 });
    expect(new Detector(opts).tick({ now: NOW, fine: fine(old, 20), coarse: coarse(() => ({ count: 120, errors: 1, p95: 50 })) }).opened).toEqual([]);
    // latency reads the last window only: a slow first half does not raise it
    expect(new Detector(opts).tick({ now: NOW, fine: fine((i) => ({ count: 12, p95: i < 10 ? 900 : 50 }), 20), coarse: coarse(() => ({ count: 120, p95: 50 })) }).opened).toEqual([]);
  });

  it('few requests: a fault that began within the last window is tested on it alone too (the two windows dilute it)', () => {
    // 3% baseline errors at 3 requests a second, a 10 s window; 7 errors of the last 30 requests, 1 of the 30 before
    const base = coarse(() => ({ count: 30, errors: 0.9, p95: 50 }));
    const recent = (i: number) => ({ count: 3, errors: i < 10 ? (i === 0 ? 1 : 0) : i - 10 < 7 ? 1 : 0, p95: 50 });
    const { opened } = new Detector({ openTicks: 1, alpha: 1e-4, windowSeconds: 10 }).tick({ now: NOW, fine: fine(recent, 20), coarse: base });
    // two windows: 8 of 60, p = 3e-4; the last one: 7 of 30, p = 2e-5, below half the level
    expect(opened).toHaveLength(1);
    expect(opened[0]!.detail).toMatch(/\(7 of 30\) over the last 10 s/);
    expect(opened[0]!.pValue).toBeLessThan(5e-5);
    // the same errors spread over both windows stay below the level: nothing
    const spread = (i: number) => ({ count: 3, errors: i % 5 === 0 ? 1 : 0, p95: 50 });
    expect(new Detector({ openTicks: 1, alpha: 1e-4, windowSeconds: 10 }).tick({ now: NOW, fine: fine(spread, 20), coarse: base }).opened).toEqual([]);
  });

  it('warm-up: nothing before the baseline has enough requests and minutes', () => {
    const d = new Detector({ openTicks: 1 });
    const young = coarse(() => ({ count: 100, p95: 50 }), 20); // 200 s of history
    expect(d.tick({ now: NOW, fine: fine(() => ({ count: 10, p95: 900 })), coarse: young }).opened).toEqual([]);
    expect(d.baselines()[0]!.ready).toBe(false);
  });

  it('SLO burn: pages when the 1 h and 5 min burn rates are both over 14.4', () => {
    // error budget 1%; the last hour at 20% errors: burn 20x
    const burning = coarse((i) => ({ count: 100, errors: i >= 2160 - 360 ? 20 : 0, p95: 50 }));
    const d = new Detector({ openTicks: 1, slo: { 'GET /checkout': { errorRate: 0.01 } } });
    const { opened } = d.tick({ now: NOW, fine: fine(() => ({ count: 10, p95: 50 })), coarse: burning });
    const slo = opened.find((a) => a.signal === 'slo-burn')!;
    expect(slo).toMatchObject({ severity: 'critical', unit: 'burn' });
    expect(slo.current).toBeCloseTo(20, 5);
    // only the last 5 minutes burning: the 1 h window is at 5x, no page; 6 h/30 min not at 6x either
    const brief = coarse((i) => ({ count: 100, errors: i >= 2160 - 30 ? 20 : 0, p95: 50 }));
    const d2 = new Detector({ openTicks: 1, slo: { 'GET /checkout': { errorRate: 0.01 } } });
    expect(d2.tick({ now: NOW, fine: fine(() => ({ count: 10, p95: 50 })), coarse: brief }).opened.filter((a) => a.signal === 'slo-burn')).toEqual([]);
  });

  it('estimates the share of requests over a latency target from a slot\'s percentiles', () => {
    expect(shareAbove(100, 50, 100, 200, 400)).toBeCloseTo(0.05, 10);
    expect(shareAbove(500, 50, 100, 200, 400)).toBe(0);
    expect(shareAbove(50, 50, 100, 200, 400)).toBeCloseTo(0.5, 10);
  });
});
