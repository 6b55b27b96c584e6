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

  it('a slow statement carries its query fingerprint, p95 before/after and the N+1 findings of the window', () => {
    /** inventory runs the stock query `calls` times per request (an N+1), each `ms` long */
    const dbTrace = (start: number, ms: number, calls: number, withFinding = true): TraceDigest => {
      const t = trace(start, 10, 5, 0);
      const durations = Array.from({ length: calls }, (_, i) => ms + (i % 3));
      t.ops = [
        op('gateway', 'GET /checkout', 10), op('orders', 'GET /orders', 5),
        { key: 'inventory\0select qty from stock where sku = ?', service: 'inventory', operation: 'select qty from stock where sku = ?', kind: 'self-time', count: calls, self: durations.reduce((a, b) => a + b, 0), total: durations.reduce((a, b) => a + b, 0), errors: 0, fingerprint: 'f00dfeedf00dfeed', system: 'sqlite', durations },
      ];
      t.duration = 15 + t.ops[2]!.self;
      if (withFinding) t.findings = [{ kind: 'n+1', service: 'inventory', route: 'GET /stock', fingerprint: 'f00dfeedf00dfeed', statement: 'select qty from stock where sku = ?', count: calls, totalMs: t.ops[2]!.self }];
      return t;
    };
    const baseline = Array.from({ length: 60 }, (_, i) => dbTrace(i, 2, 5, i % 2 === 0));
    const window = Array.from({ length: 30 }, (_, i) => dbTrace(1000 + i, 40, 5));
    const r = rank({ signal: 'latency', scopes, window, baseline });
    const top = r.suspects[0]!;
    expect(top).toMatchObject({ service: 'inventory', operation: 'select qty from stock where sku = ?', kind: 'self-time' });
    expect(top.evidence.query).toEqual({
      fingerprint: 'f00dfeedf00dfeed', statement: 'select qty from stock where sku = ?', system: 'sqlite',
      p95Before: 4, p95After: 42, callsBefore: 5, callsAfter: 5, samplesBefore: 300, samplesAfter: 150,
    });
    expect(top.evidence.findings).toHaveLength(1);
    expect(top.evidence.findings![0]).toMatchObject({ kind: 'n+1', service: 'inventory', route: 'GET /stock', fingerprint: 'f00dfeedf00dfeed', window: 30, baseline: 30, repeatsAfter: 5, repeatsBefore: 5 });
    expect(top.evidence.findings![0]!.msAfter).toBeGreaterThan(10 * top.evidence.findings![0]!.msBefore);
    expect(top.evidence.findings![0]!.traceIds).toHaveLength(3);
    expect(top.evidence.sentence).toMatch(/p95 went 4 ms -> 42 ms \(5 -> 5 calls per request\); n\+1 in GET \/stock: 5 queries per request in 30 of the window's traces/);
    // operations that are not database statements carry no query evidence
    expect(r.suspects.filter((s) => s.kind !== 'attribute' && s !== top).every((s) => s.evidence.query === undefined)).toBe(true);
  });

  it('a loop that grew: more calls per request of the same statement, with the finding in the window only', () => {
    const dbTrace = (start: number, calls: number): TraceDigest => {
      const t = trace(start, 10, 5, 0);
      const durations = Array.from({ length: Math.min(calls, 16) }, () => 2);
      t.ops = [
        op('gateway', 'GET /checkout', 10),
        { key: 'orders\0select * from items where order_id = ?', service: 'orders', operation: 'select * from items where order_id = ?', kind: 'self-time', count: calls, self: 2 * calls, total: 2 * calls, errors: 0, durations },
      ];
      t.duration = 10 + 2 * calls;
      if (calls > 5) t.findings = [{ kind: 'n+1', service: 'orders', route: 'GET /orders', statement: 'select * from items where order_id = ?', count: calls, totalMs: 2 * calls }];
      return t;
    };
    const r = rank({ signal: 'latency', scopes, baseline: Array.from({ length: 60 }, (_, i) => dbTrace(i, 2)), window: Array.from({ length: 30 }, (_, i) => dbTrace(1000 + i, 50)) });
    const top = r.suspects[0]!;
    expect(top.operation).toBe('select * from items where order_id = ?');
    expect(top.evidence.query).toMatchObject({ p95Before: 2, p95After: 2, callsBefore: 2, callsAfter: 50 });
    expect(top.evidence.query!.fingerprint).toBeUndefined(); // no fingerprint function: named by its text
    expect(top.evidence.findings).toEqual([expect.objectContaining({ kind: 'n+1', window: 30, baseline: 0, repeatsAfter: 50, repeatsBefore: 0 })]);
  });

  it('an error origin carries its error groups, counted in the window and in the baseline', () => {
    const failing = (start: number, group: 'sql' | 'type'): TraceDigest => ({
      ...trace(start, 10, 5, 20, [], 'orders'),
      originMessage: group === 'sql' ? 'SqliteError' : 'TypeError',
      originGroup: group === 'sql' ? 'aaaa000011112222' : 'bbbb000011112222',
      originGroupType: group === 'sql' ? 'SqliteError' : 'TypeError',
      originGroupMessage: group === 'sql' ? 'disk I/O error' : 'Cannot read properties of null (reading <str>)',
    });
    // the baseline has the odd TypeError (a known bad product); the window a burst of SQL errors
    const baseline = Array.from({ length: 100 }, (_, i) => (i % 25 === 0 ? failing(i, 'type') : trace(i, 10, 5, 20)));
    const window = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? failing(1000 + i, 'sql') : i === 1 ? failing(1000 + i, 'type') : trace(1000 + i, 10, 5, 20)));
    const r = rank({ signal: 'errors', scopes, window, baseline });
    const top = r.suspects[0]!;
    expect(top).toMatchObject({ service: 'orders', operation: 'GET /orders', kind: 'error-origin' });
    expect(top.evidence.errorGroup).toBe('aaaa000011112222');
    expect(top.evidence.errorGroups).toEqual([
      { fingerprint: 'aaaa000011112222', type: 'SqliteError', message: 'disk I/O error', window: 10, baseline: 0, windowTraces: 40, baselineTraces: 100, traceIds: expect.any(Array) },
      { fingerprint: 'bbbb000011112222', type: 'TypeError', message: 'Cannot read properties of null (reading <str>)', window: 1, baseline: 4, windowTraces: 40, baselineTraces: 100, traceIds: expect.any(Array) },
    ]);
    expect(top.evidence.errorGroups![0]!.traceIds).toHaveLength(3);
    expect(top.evidence.sentence).toContain('Error group SqliteError: disk I/O error, 10 failing traces in the window vs 0 in the baseline.');
  });

  describe('a by-design slow statement that blocks the thread in both windows', () => {
    /**
     * orders: GET /orders/:id runs the look-up (0.5 ms; 40.5 ms with the fault, in the anomaly
     * window only); GET /reports runs the report (60-330 ms, every 5 s, in both windows, the same
     * spread). The report is synchronous: the look-ups that arrive while it runs wait for it
     * (their wait is charged to it). In the baseline one look-up of 60 overlapped a report; in the
     * anomaly window, by chance (the look-ups come in bursts), 20 of 40 did, for 150 ms: the
     * report's blocking charge per slow trace is about 75 ms against the look-up's 40 ms, though
     * the report ran as often and as long as before.
     */
    const LOOKUP = 'select * from orders where id = ?';
    const REPORT = 'with recent as materialized (select customer, total_cents ...';
    const dbOp = (operation: string, count: number, self: number, blocked: number, durations: number[]): OpDigest => ({
      key: `orders\0${operation}`, service: 'orders', operation, kind: 'self-time', count, self, total: count ? self : 0, errors: 0,
      ...(blocked ? { blocked } : {}), durations,
    });
    const lookup = (start: number, ms: number, blockedBy: number): TraceDigest => ({
      traceId: (++n).toString(16).padStart(32, '0'), start, duration: 2 + ms + blockedBy,
      scopes: ['route:orders:GET /orders/:id', 'service:orders'], errorScopes: [],
      ops: [op('orders', 'GET /orders/:id', 2), dbOp(LOOKUP, 1, ms, 0, [ms]), ...(blockedBy ? [dbOp(REPORT, 0, blockedBy, blockedBy, [])] : [])],
      attrs: [],
    });
    const report = (start: number, ms: number): TraceDigest => ({
      traceId: (++n).toString(16).padStart(32, '0'), start, duration: 1 + ms,
      scopes: ['route:orders:GET /reports', 'service:orders'], errorScopes: [],
      ops: [op('orders', 'GET /reports', 1), dbOp(REPORT, 1, ms, 0, [ms])],
      attrs: [],
    });
    const reportMs = (i: number) => 60 + ((i * 37) % 7) * 45; // 60-330 ms, the same spread in both windows
    const lookupScopes = ['route:orders:GET /orders/:id'];
    const baselineLookups = Array.from({ length: 60 }, (_, i) => lookup(i * 1000, 0.5, i === 30 ? 100 : 0));
    const baselineReports = Array.from({ length: 12 }, (_, i) => report(i * 5000 + 300, reportMs(i)));
    const windowLookups = (ms: number, blockedMs = 150) => Array.from({ length: 40 }, (_, i) => lookup(100_000 + i * 500, ms, i % 2 === 0 ? blockedMs : 0));
    const windowReports = Array.from({ length: 4 }, (_, i) => report(100_000 + i * 5000 + 300, reportMs(i + 3)));

    it('ranks the look-up whose own latency rose above the report whose blocking is at its baseline', () => {
      const r = rank({ signal: 'latency', scopes: lookupScopes, window: [...windowLookups(40.5), ...windowReports], baseline: [...baselineLookups, ...baselineReports] });
      expect(r.anomalous).toBe(40);
      expect(r.suspects[0]).toMatchObject({ service: 'orders', operation: LOOKUP, kind: 'self-time' });
      const rep = r.suspects.find((s) => s.operation === REPORT);
      if (rep) expect(rep.score).toBeLessThan(r.suspects[0]!.score / 2);
    });

    it("the statement's own baseline may come from outside the traces (the engine's statement mix): no report in the baseline traces", () => {
      const window = [...windowLookups(40.5), ...windowReports];
      const baseline = baselineLookups.map((t) => ({ ...t, ops: t.ops.filter((o) => o.operation !== REPORT) }));
      // without it, a report never seen in the baseline traces is a new statement: its blocking counts
      const unknown = rank({ signal: 'latency', scopes: lookupScopes, window, baseline });
      expect(unknown.suspects[0]).toMatchObject({ operation: REPORT });
      const r = rank({ signal: 'latency', scopes: lookupScopes, window, baseline, statementBaseline: (o) => (o.operation === REPORT ? 330 : undefined) });
      expect(r.suspects[0]).toMatchObject({ operation: LOOKUP });
    });

    it('a report whose loop grew (each request runs it four times, each run as long as before) keeps the blocking it added', () => {
      const loop = (start: number, ms: number): TraceDigest => {
        const t = report(start, ms * 4);
        return { ...t, ops: t.ops.map((o) => (o.operation === REPORT ? { ...o, count: 4, durations: [ms, ms, ms, ms] } : o)) };
      };
      const loops = Array.from({ length: 4 }, (_, i) => loop(100_000 + i * 5000 + 300, reportMs(i + 3)));
      const r = rank({ signal: 'latency', scopes: lookupScopes, window: [...windowLookups(0.5, 600), ...loops], baseline: [...baselineLookups, ...baselineReports] });
      expect(r.suspects[0]).toMatchObject({ operation: REPORT });
    });

    it('a report that itself got slower (330 -> 900 ms) keeps the blocking it added, and is first', () => {
      const slowReports = Array.from({ length: 4 }, (_, i) => report(100_000 + i * 5000 + 300, 900));
      const r = rank({ signal: 'latency', scopes: lookupScopes, window: [...windowLookups(0.5, 300), ...slowReports], baseline: [...baselineLookups, ...baselineReports] });
      expect(r.suspects[0]).toMatchObject({ operation: REPORT });
    });
  });

  it('returns no suspects when nothing is anomalous', () => {
    const baseline = Array.from({ length: 50 }, (_, i) => trace(i, 10, 5, 20));
    expect(rank({ signal: 'latency', scopes, window: baseline.slice(0, 10), baseline }).suspects).toEqual([]);
  });
});
