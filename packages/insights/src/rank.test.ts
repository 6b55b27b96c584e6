import { describe, expect, it } from 'vitest';
import type { OpDigest, TraceDigest } from './digest.js';
import { rank, spectrum } from './rank.js';

let n = 0;
function op(service: string, operation: string, self: number, errors = 0): OpDigest {
  return { key: `${service}\0${operation}`, service, operation, kind: 'self-time', count: 1, self, total: self, errors };
}
/** gateway -> orders -> db: each op's self time on the critical path. */
function trace(start: number, gw: number, orders: number, db: number, attrs: string[] = [], error?: string): TraceDigest {
  return {
    traceId: (++n).toString(16).padStart(32, '0'), start, duration: gw + orders + db,
    scopes: ['route:gateway:GET /checkout', 'service:gateway', 'route:orders:GET /orders'],
    errorScopes: error ? ['route:gateway:GET /checkout'] : [],
    ops: [op('gateway', 'GET /checkout', gw, error ? 1 : 0), op('orders', 'GET /orders', orders, error === 'orders' ? 1 : 0), op('orders', 'SELECT 1', db)],
    ...(error ? { origin: `${error}\0${error === 'orders' ? 'GET /orders' : 'GET /checkout'}` } : {}),
    attrs,
  };
}
const scopes = ['route:gateway:GET /checkout'];

describe('rank', () => {
  it('computes Ochiai and DStar2', () => {
    expect(spectrum(4, 0, 0)).toEqual({ ochiai: 1, dstar2: 32 });
    expect(spectrum(2, 2, 2).ochiai).toBeCloseTo(0.5, 10);
    expect(spectrum(0, 4, 10)).toEqual({ ochiai: 0, dstar2: 0 });
  });

  it('blames the slow statement, not the gateway or orders that waited for it', () => {
    const baseline = Array.from({ length: 100 }, (_, i) => trace(i, 10 + (i % 3), 5 + (i % 2), 20 + (i % 4)));
    const window = Array.from({ length: 40 }, (_, i) => trace(1000 + i, 10 + (i % 3), 5 + (i % 2), 220 + (i % 4)));
    const r = rank({ signal: 'latency', scopes, window, baseline });
    expect(r.anomalous).toBe(40);
    expect(r.suspects[0]).toMatchObject({ service: 'orders', operation: 'SELECT 1', kind: 'self-time' });
    expect(r.suspects[0]!.evidence.before).toBeCloseTo(21.5, 1);
    expect(r.suspects[0]!.evidence.after).toBeCloseTo(221.5, 1);
    expect(r.suspects[0]!.evidence.anomalousShare).toBe(1);
    expect(r.suspects[0]!.evidence.normalShare).toBe(0);
    expect(r.suspects[0]!.score).toBeGreaterThan(0.8); // 0.75 x a share of ~1 + 0.25 x Ochiai (every trace has the op)
    expect(r.suspects.find((s) => s.service === 'gateway')).toBeUndefined(); // its self time did not grow
  });

  it('finds an over-represented attribute value by lift, with a minimum support', () => {
    const baseline = Array.from({ length: 100 }, (_, i) => trace(i, 10, 5, 20, [i % 2 ? 'orders:region=eu' : 'orders:region=us', 'orders:service.version=1.4.1']));
    // only eu requests got slow, after the 1.4.2 deploy
    const window = Array.from({ length: 40 }, (_, i) => (i % 2 ? trace(1000 + i, 10, 5, 220, ['orders:region=eu', 'orders:service.version=1.4.2']) : trace(1000 + i, 10, 5, 20, ['orders:region=us', 'orders:service.version=1.4.2'])));
    const r = rank({ signal: 'latency', scopes, window, baseline });
    expect(r.anomalous).toBe(20);
    const attrs = r.suspects.filter((s) => s.kind === 'attribute').map((s) => s.attribute);
    expect(attrs).toContain('region=eu');
    expect(attrs).toContain('service.version=1.4.2');
    expect(attrs).not.toContain('region=us');
    const eu = r.suspects.find((s) => s.attribute === 'region=eu')!;
    expect(eu.evidence.lift).toBeCloseTo(1 / (50 / 120), 5); // P(eu | slow) = 1, P(eu | normal) = 50/120
    // one slow trace with a rare value is below the minimum support
    const rare = rank({ signal: 'latency', scopes, baseline, window: [...window, trace(2000, 10, 5, 220, ['orders:host=odd'])] });
    expect(rare.suspects.some((s) => s.attribute === 'host=odd')).toBe(false);
  });

  it('for errors, names the origin (deepest erroring span), not the callers', () => {
    const baseline = Array.from({ length: 100 }, (_, i) => trace(i, 10, 5, 20, [], i % 50 === 0 ? 'gateway' : undefined));
    const window = Array.from({ length: 40 }, (_, i) => trace(1000 + i, 10, 5, 20, [], i % 4 === 0 ? 'orders' : undefined));
    const r = rank({ signal: 'errors', scopes, window, baseline });
    expect(r.anomalous).toBe(10);
    expect(r.suspects[0]).toMatchObject({ service: 'orders', operation: 'GET /orders', kind: 'error-origin' });
    expect(r.suspects[0]!.evidence.anomalousShare).toBe(1);
    expect(r.suspects[0]!.evidence.after).toBeCloseTo(0.25, 10);
  });

  it('returns no suspects when nothing is anomalous', () => {
    const baseline = Array.from({ length: 50 }, (_, i) => trace(i, 10, 5, 20));
    expect(rank({ signal: 'latency', scopes, window: baseline.slice(0, 10), baseline }).suspects).toEqual([]);
  });
});
