import { describe, expect, it } from 'vitest';
import { criticalPath } from '@debugpanel/flamegraph';
import { GoldenSignals } from '@debugpanel/metrics';
import type { SpanRecord } from '@debugpanel/model';
import { InsightsEngine } from './engine.js';
import { StatementMix } from './mix.js';
import { prng } from './shop.test.helpers.js';

const FAST = { windowSeconds: 10, baselineSeconds: 90, warmupMs: 20_000, warmupRequests: 20, minCount: 5, closeAfterMs: 8000, settleMs: 3000, rankEveryMs: 2000, baselineTracesMs: 20_000, alpha: 1e-4 };
const LOOKUP = 'select * from orders where id = ?';
const ITEMS = 'select * from order_items where order_id = ?';
const REPORT = 'select customer, sum(total) from orders group by customer order by 2 desc limit 10';

/**
 * orders alone: `GET /orders/:id` (a look-up and its items, both ~0.1 ms) at 4 req/s, and the
 * by-design slow report (`GET /reports/top-customers`, one 60-350 ms statement) on 4% of the
 * requests, on real golden signals with 5 s coarse slots and a fake clock.
 */
class Orders {
  now = Date.UTC(2026, 0, 1, 12);
  readonly signals = new GoldenSignals({ process: false, coarseResolution: 5, coarseWindow: 900, now: () => this.now });
  readonly engine = new InsightsEngine({
    criticalPath, ...FAST, blocking: () => false, now: () => this.now,
    source: { fine: (s) => this.signals.queryAll(s), coarse: (seconds) => this.signals.queryAll(seconds ?? 900) },
  });
  /** ms added to the look-up statement */
  slowLookupMs = 0;
  private seq = 0;
  private readonly random = prng(7);

  private id(len: number): string {
    return (++this.seq).toString(16).padStart(len, '0');
  }

  request(t: number, report: boolean): SpanRecord[] {
    const traceId = this.id(32);
    const spans: SpanRecord[] = [];
    const mk = (kind: SpanRecord['kind'], name: string, start: number, duration: number, parent?: SpanRecord, attributes: SpanRecord['attributes'] = {}): SpanRecord => {
      const s: SpanRecord = { traceId, spanId: this.id(16), ...(parent ? { parentSpanId: parent.spanId } : {}), name, kind, service: 'orders', startTime: start, duration, status: { code: 'unset' }, attributes, events: [] };
      spans.push(s);
      return s;
    };
    const db = (text: string): SpanRecord['attributes'] => ({ 'db.system.name': 'sqlite', 'db.namespace': 'orders.db', 'db.query.text': text });
    if (report) {
      const ms = 60 + 290 * this.random();
      const root = mk('server', 'GET /reports/top-customers', t, ms + 1, undefined, { 'http.request.method': 'GET', 'http.route': '/reports/top-customers', 'http.response.status_code': 200 });
      mk('client', 'SELECT orders.db', t + 0.5, ms, root, db(REPORT));
      return spans;
    }
    const a = 0.05 + 0.1 * this.random() + this.slowLookupMs;
    const b = 0.05 + 0.1 * this.random();
    const root = mk('server', 'GET /orders/:id', t, 1 + a + b, undefined, { 'http.request.method': 'GET', 'http.route': '/orders/:id', 'http.response.status_code': 200 });
    mk('client', 'SELECT orders.db', t + 0.3, a, root, db(LOOKUP));
    mk('client', 'SELECT orders.db', t + 0.5 + a, b, root, db(ITEMS));
    return spans;
  }

  /** `seconds` of traffic; `reportsAt` (s from now) puts a report in that second instead of by chance. */
  run(seconds: number, reportsAt?: ReadonlySet<number>): void {
    for (let i = 0; i < seconds; i++) {
      const second = this.now;
      const batch: SpanRecord[] = [];
      for (let k = 0; k < 4; k++) {
        const report = reportsAt ? reportsAt.has(i) && k === 0 : this.random() < 0.04;
        batch.push(...this.request(second + k * 250, report));
      }
      for (const s of batch) this.signals.record(s);
      this.engine.addSpans(batch);
      this.now = second + 1000;
      this.signals.tick(this.now);
      this.engine.tick(this.now);
    }
  }

  edgeAnomalies(): number {
    return this.engine.detector.anomaliesTotal === 0 ? 0 : this.engine.list({ limit: 500 }).incidents.filter((i) => this.engine.get(i.id)!.members.some((m) => m.scope.kind === 'dependency')).length;
  }
}

describe('a dependency edge whose statement mix changed', () => {
  it('a burst of the by-design slow report (seven runs in 11 s) opens no anomaly on the edge: each statement is at its own baseline', () => {
    const shop = new Orders();
    shop.run(300);
    expect(shop.engine.list().baselines.find((b) => b.scope.kind === 'dependency')?.ready).toBe(true);
    expect(shop.edgeAnomalies()).toBe(0);
    // seven reports within 11 s, as on the live demo: the edge's p95 goes from ~0.2 ms to the report's
    shop.run(11, new Set([0, 2, 3, 5, 7, 8, 10]));
    shop.run(60);
    expect(shop.edgeAnomalies()).toBe(0);
    expect(shop.engine.stats().mixExplainedTicks).toBeGreaterThan(0);
  });

  it('a slower look-up (+40 ms) on the same edge is still an anomaly, opened as soon as the rule has held for its ticks', () => {
    const shop = new Orders();
    shop.run(300);
    const faultAt = shop.now;
    shop.slowLookupMs = 40;
    let openedAt: number | undefined;
    for (let i = 0; i < 30 && openedAt === undefined; i++) {
      shop.run(1);
      if (shop.engine.detector.open().some((a) => a.scope.kind === 'dependency')) openedAt = shop.now;
    }
    expect(openedAt).toBeDefined();
    // as fast as without the mix (the engine before it opened this very anomaly after 8 s too):
    // the window's count-weighted median second must be slow, then the rule holds for openTicks
    expect(openedAt! - faultAt).toBeLessThanOrEqual(8000);
  });

  it('a slower look-up during a report burst: the observed p95 is above what the mix costs at baseline latencies', () => {
    const shop = new Orders();
    shop.run(300);
    shop.slowLookupMs = 400;
    shop.run(11, new Set([0, 2, 3, 5, 7, 8, 10]));
    expect(shop.engine.detector.open().some((a) => a.scope.kind === 'dependency')).toBe(true);
  });
});

describe('StatementMix', () => {
  it('expects the current mix at each statement\'s baseline latency, by the median of per-second p95s', () => {
    const mix = new StatementMix({ windowSeconds: 10, memoryMs: 600_000, maxStatements: 10 });
    const t0 = 1_000_000;
    // baseline: a fast statement (1 ms) 20 times a second, a slow one (200 ms) once every 10 s
    for (let s = 0; s < 120; s++) {
      for (let k = 0; k < 20; k++) mix.add('e', 'fast', 'svc', t0 + s * 1000 + k, 1);
      if (s % 10 === 0) mix.add('e', 'slow', 'svc', t0 + s * 1000 + 500, 200);
      mix.advance(t0 + (s + 1) * 1000, () => false);
    }
    // the window holds only fast calls: expected ~1 ms
    expect(mix.expected('e', t0 + 120_000)!.p95).toBeCloseTo(1, 0);
    // the next 10 s: the slow statement in every second, 2 of 22 calls: each second's p95 is the slow one's
    for (let s = 120; s < 130; s++) {
      for (let k = 0; k < 20; k++) mix.add('e', 'fast', 'svc', t0 + s * 1000 + k, 1);
      mix.add('e', 'slow', 'svc', t0 + s * 1000 + 500, 5); // its own time does not matter: its baseline does
      mix.add('e', 'slow', 'svc', t0 + s * 1000 + 600, 5);
      mix.advance(t0 + (s + 1) * 1000, () => false);
    }
    const e = mix.expected('e', t0 + 130_000)!;
    expect(e.p95).toBeGreaterThan(150);
    expect(e.p95).toBeLessThan(250);
    expect(e.unknownShare).toBe(0);
    expect(mix.expected('other', t0 + 130_000)).toBeUndefined();
  });

  it('is bounded: statements past maxStatements are counted, not tracked; a frozen service adds nothing to its baselines', () => {
    const mix = new StatementMix({ windowSeconds: 2, memoryMs: 600_000, maxStatements: 2 });
    mix.add('e', 'a', 'svc', 1000, 1);
    mix.add('e', 'b', 'svc', 1000, 1);
    mix.add('e', 'c', 'svc', 1000, 1);
    expect(mix.statements).toBe(2);
    expect(mix.dropped).toBe(1);
    // 'a' seen only while frozen: no baseline, so it counts with its own time
    mix.advance(10_000, () => true);
    mix.add('e', 'a', 'svc', 10_500, 50);
    expect(mix.expected('e', 11_000)).toMatchObject({ unknownShare: 1 });
  });

  it("gives a statement's baseline quantile by service and name, a cut display name matching its start", () => {
    const mix = new StatementMix({ windowSeconds: 2, memoryMs: 600_000, maxStatements: 10 });
    const report = `with recent as materialized (${'select customer, total_cents, created_at from orders '.repeat(4)})`;
    for (let s = 0; s < 30; s++) {
      mix.add('dependency:orders:sqlite', report, 'orders', 1000 + s * 1000, 60 + (s % 10) * 30);
      mix.add('dependency:orders:sqlite', 'select * from orders where id = ?', 'orders', 1000 + s * 1000, 0.5);
    }
    expect(mix.baselineQuantile('orders', [report], 0.9)).toBeUndefined(); // nothing left the window yet
    mix.advance(40_000, () => false);
    const p90 = mix.baselineQuantile('orders', [`${report.slice(0, 157)}...`], 0.9)!;
    expect(p90).toBeGreaterThan(270 / 1.2);
    expect(p90).toBeLessThan(330 * 1.2);
    expect(mix.baselineQuantile('orders', ['select * from orders where id = ?'], 0.9)).toBeCloseTo(0.5, 0);
    expect(mix.baselineQuantile('inventory', [report], 0.9)).toBeUndefined();
    expect(mix.baselineQuantile('orders', ['select 1'], 0.9)).toBeUndefined();
  });
});
