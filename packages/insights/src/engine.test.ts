import { describe, expect, it } from 'vitest';
import type { IncidentSummary, SpanRecord } from '@debugpanel/model';
import { Shop } from './shop.test.helpers.js';

const WARM = 6 * 60; // seconds of clean traffic: past the 5 min / 200 requests warm-up

describe('InsightsEngine on a simulated shop (real golden signals, real critical path)', () => {
  it('raises nothing during warm-up, even with a fault, nor on clean traffic after it', () => {
    const shop = new Shop();
    shop.run(60);
    shop.faults = [{ service: 'inventory', latencyMs: 200 }];
    shop.run(60); // minute 1-2: slow, but the baseline is not ready
    expect(shop.engine.list().incidents).toEqual([]);
    shop.faults = [];
    shop.run(20 * 60);
    expect(shop.engine.list().incidents).toEqual([]);
    expect(shop.engine.list().baselines.every((b) => b.ready)).toBe(true);
    expect(shop.engine.stats().tickErrors).toBe(0);
  });

  it('finds +200 ms in inventory within 30 s as one incident, inventory first, the callers not blamed', () => {
    const shop = new Shop({}, 2);
    shop.run(WARM);
    const faultAt = shop.now;
    shop.faults = [{ service: 'inventory', latencyMs: 200 }];
    let firstAt: number | undefined;
    for (let i = 0; i < 60 && firstAt === undefined; i++) {
      shop.run(1);
      if (shop.engine.incidentsSince(faultAt - 60_000).length) firstAt = shop.now;
    }
    expect(firstAt).toBeDefined();
    expect(firstAt! - faultAt).toBeLessThanOrEqual(30_000);
    shop.run(30);
    const incidents = shop.engine.list().incidents;
    // gateway, orders and inventory routes, services and edges all moved: one incident
    expect(incidents).toHaveLength(1);
    const detail = shop.engine.get(incidents[0]!.id)!;
    expect(detail.members.length).toBeGreaterThan(3);
    // the summary names the services of its anomalies, the first one's first
    expect(incidents[0]!.services).toEqual([...new Set(detail.members.map((m) => m.scope.service))]);
    expect(incidents[0]!.services).toContain('inventory');
    expect(incidents[0]!.services![0]).toBe(detail.members[0]!.scope.service);
    const top = detail.ranked[0]!;
    expect(top.service).toBe('inventory');
    expect(top.operation).toBe('GET /stock');
    expect(top.kind).toBe('self-time');
    expect(top.evidence.after - top.evidence.before).toBeGreaterThan(150);
    expect(top.evidence.anomalousShare).toBeGreaterThan(0.9);
    expect(top.evidence.normalShare).toBeLessThan(0.1);
    expect(top.evidence.anomalousTraces.length).toBeGreaterThan(0);
    expect(top.evidence.normalTraces.length).toBeGreaterThan(0);
    expect(top.evidence.sentence).toMatch(/inventory GET \/stock: self time on the critical path .* -> 2\d\d ms/);
    // the gateway and orders waited for inventory: their own time did not change
    for (const s of detail.ranked.filter((x) => x.service !== 'inventory' && x.kind !== 'attribute')) {
      expect(s.score).toBeLessThan(top.score / 3);
    }
    expect(detail.state).toBe('firing');
  });

  it('names orders as the origin of 20% errors, not the gateway that passed them on', () => {
    const shop = new Shop({ errorGroup: (span) => (span.events.some((e) => e.name === 'exception') ? 'fp-injected' : undefined) }, 3);
    shop.run(WARM);
    const faultAt = shop.now;
    shop.faults = [{ service: 'orders', errorRate: 0.2 }];
    shop.run(40);
    const [first] = shop.engine.incidentsSince(faultAt - 30_000);
    expect(first).toBeDefined();
    expect(first!.startedAt - faultAt).toBeLessThanOrEqual(30_000);
    expect(shop.engine.list().incidents.some((i) => i.signal === 'errors')).toBe(true);
    const errors = shop.engine.list().incidents.find((i) => i.signal === 'errors')!;
    expect(errors.suspects[0]!.service).toBe('orders');
    expect(errors.suspects[0]!.kind).toBe('error-origin');
    expect(errors.suspects[0]!.evidence.sentence).toMatch(/error starts here in 100% of failing traces \(InjectedFault, error group fp-injected\)/);
    expect(errors.suspects[0]!.evidence.errorGroup).toBe('fp-injected');
  });

  it('names the slow statement when the database is slow', () => {
    const shop = new Shop({}, 4);
    shop.run(WARM);
    shop.faults = [{ service: 'inventory', slowSqlMs: 150 }];
    shop.run(45);
    const [inc] = shop.engine.list().incidents;
    expect(inc).toBeDefined();
    expect(inc!.suspects[0]!.service).toBe('inventory');
    expect(inc!.suspects[0]!.operation).toBe('SELECT qty FROM stock WHERE sku = ?');
  });

  it('a new route is not an anomaly, nor is one odd request', () => {
    const shop = new Shop({}, 5);
    shop.run(WARM);
    shop.extraRoutes = [{ route: '/api/new', rate: 0.9 }];
    shop.run(120);
    shop.oddNext = 10_000;
    shop.run(120);
    expect(shop.engine.list().incidents).toEqual([]);
  });

  it('ends an anomaly only once the signal is back for the close delay (no flapping)', () => {
    const shop = new Shop({ closeAfterMs: 60_000 }, 6);
    shop.run(WARM);
    shop.faults = [{ service: 'inventory', latencyMs: 200 }];
    shop.run(40);
    const id = shop.engine.list().incidents[0]!.id;
    // off for 20 s, on again: still the same incident
    shop.faults = [];
    shop.run(20);
    shop.faults = [{ service: 'inventory', latencyMs: 200 }];
    shop.run(20);
    shop.faults = [];
    shop.run(50);
    expect(shop.engine.get(id)!.state).toBe('firing');
    shop.run(40);
    const done = shop.engine.get(id)!;
    expect(done.state).toBe('resolved');
    expect(done.endedAt).toBeDefined();
    expect(shop.engine.list().incidents).toHaveLength(1);
  });

  it('a quiet series is not blind after an incident: the slots left out of its baseline leave it its last ready one', () => {
    // 1 request/s, a 90 s baseline, 20 requests to be ready: a 60 s incident leaves too few
    const fast = { windowSeconds: 10, baselineSeconds: 90, warmupMs: 20_000, warmupRequests: 20, closeAfterMs: 8_000, minCount: 5, alpha: 1e-4 };
    const shop = new Shop(fast, 11);
    shop.run(150, 1);
    shop.faults = [{ service: 'inventory', latencyMs: 200 }];
    shop.run(60, 1);
    expect(shop.engine.list().incidents).toHaveLength(1);
    shop.faults = [];
    for (let i = 0; i < 60 && shop.engine.list().anomalies.length > 0; i++) shop.run(1, 1);
    expect(shop.engine.list().anomalies).toEqual([]);
    shop.run(20, 1);
    // what a recomputed baseline would hold now: the incident's slots are left out
    expect(shop.engine.list().baselines.filter((b) => b.scope.kind === 'route').every((b) => b.ready)).toBe(true);
    const second = shop.now;
    shop.faults = [{ service: 'orders', latencyMs: 250 }];
    shop.run(30, 1);
    const [inc] = shop.engine.incidentsSince(second - 3000);
    expect(inc).toBeDefined();
    expect(inc!.suspects[0]!.service).toBe('orders');
  });

  /** After warm-up, a 12 s blip in the gateway, still open 28 s later (the close delay is 60 s), then +200 ms in inventory for 30 s. */
  function blipThenFault(shop: Shop): { blip: IncidentSummary | undefined; faultAt: number } {
    shop.run(WARM);
    shop.faults = [{ service: 'gateway', latencyMs: 150 }];
    shop.run(12);
    shop.faults = [];
    shop.run(28);
    const open = shop.engine.list({ state: 'open' }).incidents;
    expect(open).toHaveLength(1);
    const faultAt = shop.now;
    shop.faults = [{ service: 'inventory', latencyMs: 200 }];
    shop.run(30);
    return { blip: open[0], faultAt };
  }

  it('a new fault gets its own incident though an older one on shared traffic is still open (a blip on the gateway)', () => {
    const shop = new Shop({}, 12);
    const { blip, faultAt } = blipThenFault(shop);
    expect(blip!.suspects[0]!.service).toBe('gateway');
    // every trace of inventory passed the gateway's route too, but the blip started 40 s before
    const fresh = shop.engine.incidentsSince(faultAt - 3000);
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.suspects[0]).toMatchObject({ service: 'inventory', operation: 'GET /stock' });
    expect(shop.engine.get(blip!.id)!.members.every((m) => m.startedAt < faultAt)).toBe(true);
  });

  it('nor is a new fault folded into an open incident because its traces have not settled yet', () => {
    // traces settle after 2 min: every anomaly opens with no trace to rank
    const shop = new Shop({ settleMs: 120_000 }, 13);
    const { faultAt } = blipThenFault(shop);
    expect(shop.engine.incidentsSince(faultAt - 3000)).toHaveLength(1);
  });

  it('ranks an incident that opened before its traces settled as soon as they have, not at the next periodic re-rank', () => {
    const shop = new Shop({ settleMs: 20_000, rankEveryMs: 120_000 }, 14);
    shop.run(WARM);
    const faultAt = shop.now;
    shop.faults = [{ service: 'inventory', latencyMs: 200 }];
    let opened: number | undefined;
    for (let i = 0; i < 40 && opened === undefined; i++) {
      shop.run(1);
      if (shop.engine.incidentsSince(faultAt - 30_000).length) opened = shop.now;
    }
    expect(opened).toBeDefined();
    shop.run(30); // the fault's first traces settled 20 s after they ended, after the cascade's anomalies joined
    const [inc] = shop.engine.incidentsSince(faultAt - 30_000);
    expect(inc!.suspects[0]).toMatchObject({ service: 'inventory', operation: 'GET /stock' });
  });

  it('keeps each tick to its time budget: overruns counted, nothing starves, the same answer', () => {
    // the host's thread pays for the tick (at a hub, the gateway's): a budget so small that every
    // tick is over it shows the floor, one re-rank per tick, and that nothing starves
    const run = (options: Record<string, unknown>) => {
      const shop = new Shop(options, 2);
      shop.run(WARM);
      const faultAt = shop.now;
      shop.faults = [{ service: 'inventory', latencyMs: 200 }];
      shop.run(60);
      return { shop, incidents: shop.engine.incidentsSince(faultAt - 30_000) };
    };
    const tight = run({ tickBudgetMs: 1e-6 });
    const stats = tight.shop.engine.stats();
    expect(stats.tickBudgetMs).toBe(1e-6);
    expect(stats.tickOverruns).toBe(stats.ticks);
    expect(stats.maxTickMs).toBeGreaterThanOrEqual(stats.lastTickMs);
    const roomy = run({ tickBudgetMs: 10_000 });
    expect(roomy.shop.engine.stats().tickOverruns).toBe(0);
    expect(roomy.shop.engine.stats().deferredRanks).toBe(0);
    // one incident, inventory's stock route first, with the budget or without
    for (const r of [tight, roomy]) {
      expect(r.incidents).toHaveLength(1);
      expect(r.incidents[0]!.suspects[0]).toMatchObject({ service: 'inventory', operation: 'GET /stock' });
    }
    expect(() => new Shop({ tickBudgetMs: 0 })).toThrow(/tickBudgetMs must be a positive number of ms/);
  });

  it('reads the coarse ring over its baseline window only (the whole 6 h ring with SLOs), and the whole ring from a source that answers short windows finer', () => {
    const asked: Array<{ slo: boolean; seconds: number | undefined }> = [];
    for (const slo of [false, true]) {
      const shop = new Shop(slo ? { slo: { 'GET /api/products': { p95Ms: 300 } } } : {}, 5);
      const source = (shop.engine as unknown as { o: { source: { coarse: (s?: number) => unknown } } }).o.source;
      const coarse = source.coarse;
      source.coarse = (seconds?: number) => {
        asked.push({ slo, seconds });
        return coarse(seconds);
      };
      shop.run(30);
    }
    // first the whole ring (to learn its resolution), then the 3600 s baseline + two windows + a minute
    expect(asked.filter((a) => !a.slo).map((a) => a.seconds)).toEqual([undefined, 3690, 3690]);
    expect(asked.filter((a) => a.slo).map((a) => a.seconds)).toEqual([undefined, 21_600, 21_600]);
    // a 90 s baseline fits in the fine ring: the source answers at 1 s, so the engine asks for the whole ring again
    const shop = new Shop({ baselineSeconds: 90 }, 5);
    const source = (shop.engine as unknown as { o: { source: { coarse: (s?: number) => { resolution: number } } } }).o.source;
    const coarse = source.coarse;
    const seen: Array<number | undefined> = [];
    source.coarse = (seconds?: number) => {
      seen.push(seconds);
      return coarse(seconds);
    };
    shop.run(30);
    expect(seen).toEqual([undefined, 180, undefined, undefined]);
  });

  it('alerts: pending, firing, resolved; once each; ack silences; rate limit counted', () => {
    const alerts: Array<{ status: string; id: string }> = [];
    const shop = new Shop({ onAlert: (n) => alerts.push({ status: n.status, id: n.incident.id }), pendingMs: 10_000 }, 7);
    shop.run(WARM);
    shop.faults = [{ service: 'inventory', latencyMs: 200 }];
    shop.run(6);
    const pending = shop.engine.list().incidents[0];
    if (pending) expect(pending.state).toBe('pending');
    shop.run(40);
    shop.faults = [];
    shop.run(120);
    expect(alerts.map((a) => a.status)).toEqual(['firing', 'resolved']);
    // a second fault, acknowledged while firing: no resolved notification
    shop.faults = [{ service: 'orders', latencyMs: 300 }];
    shop.run(40);
    const second = shop.engine.list({ state: 'open' }).incidents[0]!;
    expect(second.state).toBe('firing');
    expect(shop.engine.ack(second.id, 30)!.silencedUntil).toBe(shop.now + 30 * 60_000);
    expect(shop.engine.list().firing).toBe(0);
    shop.faults = [];
    shop.run(120);
    expect(alerts.map((a) => a.status)).toEqual(['firing', 'resolved', 'firing']);
    expect(shop.engine.stats().suppressedNotifications).toBe(1);
    expect(shop.engine.get(second.id)!.timeline.map((e) => e.type)).toContain('acked');
  });

  it('keeps its buffers bounded and counts what it dropped', () => {
    const shop = new Shop({ maxDigests: 100, maxPendingTraces: 5 }, 8);
    shop.run(10);
    const s = shop.engine.stats();
    expect(s.digests).toBeLessThanOrEqual(100);
    expect(s.droppedSpans).toBeGreaterThan(0);
    expect(s.pendingTraces).toBeLessThanOrEqual(5);
  });

  it('shares the strings and lists of its digests in bounded tables and counts when they start afresh', () => {
    const shop = new Shop({}, 9);
    shop.run(30);
    const before = shop.engine.stats();
    expect(before.digests).toBeGreaterThan(100);
    expect(before.digestStrings).toBeGreaterThan(0);
    shop.run(30); // the same shapes again: the table holds what it held
    const after = shop.engine.stats();
    expect(after.digests).toBeGreaterThan(before.digests);
    expect(after.digestStrings).toBe(before.digestStrings);
    expect(after.digestStringResets).toBe(0);
    expect(after.digestLists).toBeGreaterThan(0);
    expect(after.digestLists).toBe(before.digestLists);
    expect(after.digestListResets).toBe(0);
    // 6,000 distinct attribute values overflow the 4,096-string table: bounded, and counted
    for (let round = 0; round < 4; round++) {
      const t0 = shop.now;
      shop.engine.addSpans(Array.from({ length: 1500 }, (_, i): SpanRecord => {
        const n = round * 1500 + i;
        return {
          traceId: n.toString(16).padStart(32, 'f'), spanId: '1'.padStart(16, '0'), name: 'GET /x', kind: 'server', service: 'web',
          startTime: t0, duration: 1, status: { code: 'unset' }, attributes: { 'http.route': '/x', 'app.tenant': `tenant-${n}` }, events: [],
        };
      }));
      // a tick digests what its time budget allows (20 at least), the rest in later ticks
      for (let i = 0; i < 80 && shop.engine.stats().pendingTraces > 0; i++) {
        shop.now += 1000;
        shop.engine.tick();
      }
    }
    const full = shop.engine.stats();
    expect(full.pendingTraces).toBe(0);
    expect(full.digestStrings).toBeLessThanOrEqual(4096);
    expect(full.digestStringResets).toBeGreaterThanOrEqual(1);
    // each of those traces has a list of attribute pairs of its own: the list table is bounded too
    expect(full.digestLists).toBeLessThanOrEqual(4096);
    expect(full.digestListResets).toBeGreaterThanOrEqual(1);
  });

  it('checks its options', () => {
    expect(() => new Shop({ windowSecs: 3 } as never)).toThrow(/windowSeconds/);
    expect(() => new Shop({ slo: { checkout: { p95Ms: 3 } } })).toThrow(/METHOD \/route/);
    expect(() => new Shop({ slo: { 'GET /x': { errorRate: 2 } } })).toThrow(/between 0 and 1/);
  });
});
