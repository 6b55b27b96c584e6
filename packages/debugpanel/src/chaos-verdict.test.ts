/**
 * Verdicts judged from real incidents: a simulated three-service shop (gateway -> orders ->
 * inventory and its stock query) on a fake clock feeds the real golden signals and the real
 * insights engine; the chaos engine's own statement hook decides which queries get the fault, as
 * tracing would ask it, and the experiment's verdict reads the incidents through `incidentsFrom`.
 */
import { describe, expect, it } from 'vitest';
import { ChaosEngine, ChaosExperiments } from '@debugpanel/chaos';
import { criticalPath } from '@debugpanel/flamegraph';
import { InsightsEngine } from '@debugpanel/insights';
import { GoldenSignals } from '@debugpanel/metrics';
import { fingerprint } from '@debugpanel/queries';
import { CHAOS_RULE_ATTRIBUTE, type ChaosExperiment, type SpanRecord } from '@debugpanel/model';
import { incidentsFrom } from './chaos.js';

const STOCK_SQL = 'SELECT qty FROM stock WHERE sku = ?';

function shop(seed = 7) {
  let now = Date.UTC(2026, 0, 1, 12);
  let a = seed;
  const random = () => {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    return a / 2 ** 31;
  };
  const signals = new GoldenSignals({ process: false, now: () => now });
  const insights = new InsightsEngine({ criticalPath, now: () => now, source: { fine: (s) => signals.queryAll(s), coarse: () => signals.queryAll(21_600) } });
  const experiments: { x?: ChaosExperiments } = {};
  const engine = new ChaosEngine({ service: 'inventory', hub: true, now: () => now, timers: false, onRuleEnd: (r, why) => experiments.x?.ruleEnded(r, why) });
  const incidentsSince = incidentsFrom(insights);
  const faulted = new Set<string>();
  const x = new ChaosExperiments(engine, { observe: (e) => ({ faultedTraceIds: [...faulted], faultedSpans: faulted.size, signals: [], incidents: incidentsSince(e.startedAt) }) }, { timers: false });
  experiments.x = x;
  let seq = 0;
  const id = (len: number) => (++seq).toString(16).padStart(len, '0');

  /** One checkout-page request at `t`: four server/client hops and inventory's stock query. */
  function trace(t: number): SpanRecord[] {
    const traceId = id(32);
    const spans: SpanRecord[] = [];
    const span = (service: string, kind: SpanRecord['kind'], name: string, start: number, duration: number, parent: SpanRecord | undefined, attributes: SpanRecord['attributes']): SpanRecord => {
      const s: SpanRecord = { traceId, spanId: id(16), ...(parent ? { parentSpanId: parent.spanId } : {}), name, kind, service, startTime: start, duration, status: { code: 'unset' }, attributes, events: [] };
      spans.push(s);
      return s;
    };
    const jitter = (ms: number) => ms * (0.8 + 0.4 * random());
    // the chaos engine decides, as tracing's statement hook asks it before the query runs
    const d = engine.statement({ system: 'sqlite', text: STOCK_SQL, ...(engine.fingerprintScoped ? { fingerprint: fingerprint(STOCK_SQL).id } : {}) }, undefined);
    const sql = jitter(2) + (d?.kind === 'latency' ? d.ms : 0);
    const inv = jitter(3) + sql;
    const ord = jitter(5) + inv + 2;
    const gw = jitter(4) + ord + 2;
    const g = span('gateway', 'server', 'GET /api/products', t, gw, undefined, { 'http.request.method': 'GET', 'http.route': '/api/products', 'http.response.status_code': 200 });
    const c1 = span('gateway', 'client', 'GET', t + 2, ord + 2, g, { 'http.request.method': 'GET', 'peer.service': 'orders', 'http.response.status_code': 200 });
    const o = span('orders', 'server', 'GET /products', c1.startTime + 1, ord, c1, { 'http.request.method': 'GET', 'http.route': '/products', 'http.response.status_code': 200 });
    const c2 = span('orders', 'client', 'GET', o.startTime + 2, inv + 2, o, { 'http.request.method': 'GET', 'peer.service': 'inventory', 'http.response.status_code': 200 });
    const i = span('inventory', 'server', 'GET /stock', c2.startTime + 1, inv, c2, { 'http.request.method': 'GET', 'http.route': '/stock', 'http.response.status_code': 200 });
    const q = span('inventory', 'client', 'SELECT inventory.db', i.startTime + 2, sql, i, { 'db.system.name': 'sqlite', 'db.namespace': 'inventory.db', 'db.query.text': STOCK_SQL });
    if (d) {
      q.attributes = { ...q.attributes, [CHAOS_RULE_ATTRIBUTE]: d.ruleId };
      faulted.add(traceId);
    }
    return spans;
  }

  /** `seconds` of traffic at 10 requests a second, the signals and insights ticked each second. */
  function run(seconds: number): void {
    for (let s = 0; s < seconds; s++) {
      const second = now;
      for (let k = 0; k < 10; k++) {
        const spans = trace(second + k * 100);
        for (const sp of spans) signals.record(sp);
        insights.addSpans(spans);
      }
      now = second + 1000;
      signals.tick(now);
      insights.tick(now);
      engine.sweep();
    }
  }
  return { engine, x, insights, run, now: () => now };
}

function start(x: ChaosExperiments, body: object): ChaosExperiment {
  const r = x.start(body);
  if (!('experiment' in r)) throw new Error(JSON.stringify(r.issues));
  return r.experiment;
}

describe('experiment verdicts from the insights engine', () => {
  it('+200 ms on inventory\'s stock query: caught within 30 s, the top suspect names inventory and the statement', () => {
    const s = shop();
    s.run(6 * 60); // past the insights warm-up (5 min, 200 requests)
    expect(s.insights.list().incidents).toEqual([]);
    const e = start(s.x, { name: 'slow stock', rule: { target: 'db', fault: { kind: 'latency', ms: 200 }, scope: { service: 'inventory', statement: 'FROM stock WHERE sku' } }, durationMs: 60_000 });
    s.run(62);
    expect(s.x.get(e.id)!.status).toBe('finished');
    const v = s.x.decide(e.id)!;
    expect(v.caught).toBe(true);
    expect(v.injected).toBe(600);
    expect(v.incident!.firedAfterMs).toBeGreaterThan(0);
    expect(v.incident!.firedAfterMs).toBeLessThanOrEqual(30_000);
    // the alert fires once the incident lasted `pendingMs` (10 s from its anomaly's start)
    expect(v.incident!.alertAfterMs!).toBeGreaterThan(v.incident!.firedAfterMs);
    expect(v.topSuspect).toMatchObject({ service: 'inventory', operation: STOCK_SQL, namesTarget: true });
    expect(v.summary).toMatch(new RegExp(`^Caught in \\d+(\\.\\d)? s; ranked \`inventory\` \`${STOCK_SQL.replace(/[?]/g, '\\?')}\` first\\. Alert fired after \\d+ s\\.$`));
    expect(v.expectations.map((x) => x.met)).toEqual([true, true, true]);
    expect(s.insights.incidentsSince(e.startedAt)[0]!.id).toBe(v.incident!.id);
  });

  it('a rule by fingerprint is named by a suspect whose statement has that fingerprint', () => {
    const s = shop(3);
    s.run(6 * 60);
    const id = fingerprint(STOCK_SQL).id;
    const e = start(s.x, { name: 'slow stock by fingerprint', rule: { target: 'db', fault: { kind: 'latency', ms: 200 }, scope: { service: 'inventory', fingerprint: id } }, durationMs: 40_000 });
    s.run(42);
    const v = s.x.decide(e.id)!;
    expect(v).toMatchObject({ caught: true, injected: 400, topSuspect: { service: 'inventory', operation: STOCK_SQL, namesTarget: true } });
    expect(v.expectations[2]).toMatchObject({ expectation: `the top suspect names \`inventory\` and \`query ${id}\``, met: true });
  });

  it('a fault below what the detector sees (+1 ms): not caught, no alert fired', () => {
    const s = shop(11);
    s.run(6 * 60);
    const e = start(s.x, { name: 'a hair slower', rule: { target: 'db', fault: { kind: 'latency', ms: 1 }, scope: { service: 'inventory', statement: 'FROM stock' } }, durationMs: 30_000 });
    s.run(32);
    const v = s.x.decide(e.id)!;
    expect(v).toMatchObject({ caught: false, incident: null, topSuspect: null, injected: 300 });
    expect(v.summary).toBe('Not caught: no alert fired; 300 faults in 300 traces.');
    expect(v.expectations.map((x) => x.met)).toEqual([true, false, false]);
  });

  it('expect.suspect names what the ranking does not: caught, but that expectation is not met', () => {
    const s = shop(5);
    s.run(6 * 60);
    const e = start(s.x, { name: 'slow stock, blame orders', rule: { target: 'db', fault: { kind: 'latency', ms: 200 }, scope: { service: 'inventory', statement: 'FROM stock' } }, durationMs: 40_000, expect: { suspect: 'orders' } });
    s.run(42);
    const v = s.x.decide(e.id)!;
    expect(v.caught).toBe(true);
    expect(v.topSuspect).toMatchObject({ service: 'inventory', namesTarget: false });
    expect(v.summary).toMatch(/first, not the injected target\./);
    expect(v.expectations[2]).toMatchObject({ expectation: 'the top suspect names `orders`', met: false });
  });
});
