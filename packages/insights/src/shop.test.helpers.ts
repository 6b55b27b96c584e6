/**
 * A simulated three-service shop for the engine's tests (not built): gateway -> orders ->
 * inventory (with a database), traffic at a fixed rate on a fake clock, real golden signals
 * (`@debugpanel/metrics`) and the real critical path (`@debugpanel/flamegraph`), and faults per
 * service: extra latency in its own handler, a share of failing requests, or a slow statement.
 */
import { criticalPath } from '@debugpanel/flamegraph';
import { GoldenSignals } from '@debugpanel/metrics';
import type { SpanRecord } from '@debugpanel/model';
import { InsightsEngine, type InsightsOptions } from './engine.js';

export type ShopService = 'gateway' | 'orders' | 'inventory';

export interface ShopFault {
  service: ShopService;
  latencyMs?: number;
  errorRate?: number;
  /** inventory's stock query gets this much slower */
  slowSqlMs?: number;
  /** only requests with this region attribute (gateway server span) */
  region?: string;
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0').slice(-len);

export class Shop {
  readonly signals: GoldenSignals;
  readonly engine: InsightsEngine;
  now: number;
  faults: ShopFault[] = [];
  /** extra routes: name -> share of traffic (a new route appearing) */
  extraRoutes: Array<{ route: string; rate: number }> = [];
  /** one-off: the next request takes this long in orders */
  oddNext = 0;
  private seq = 0;
  private readonly random: () => number;

  constructor(options: Partial<InsightsOptions> = {}, seed = 1, start = Date.UTC(2026, 0, 1, 12)) {
    this.now = start;
    this.random = prng(seed);
    this.signals = new GoldenSignals({ process: false, now: () => this.now });
    this.engine = new InsightsEngine({
      criticalPath,
      now: () => this.now,
      source: { fine: (s) => this.signals.queryAll(s), coarse: (seconds) => this.signals.queryAll(seconds ?? 21_600) },
      // The simulated services are not single-threaded: their requests overlap freely, so a
      // statement of one does not hold the others (as a synchronous driver would in Node).
      blocking: () => false,
      ...options,
    });
  }

  private id(len: number): string {
    return hex(++this.seq, 8) + hex(Math.floor(this.random() * 2 ** 32), len - 8);
  }

  private noise(mean: number, spread = 0.2): number {
    return mean * (1 - spread + 2 * spread * this.random());
  }

  private fault(service: ShopService, region: string): ShopFault | undefined {
    return this.faults.find((f) => f.service === service && (f.region === undefined || f.region === region));
  }

  /** One request's trace at time `t` on `route` (gateway route). */
  trace(t: number, route = '/api/products'): SpanRecord[] {
    const traceId = this.id(32);
    const region = this.random() < 0.5 ? 'eu' : 'us';
    const spans: SpanRecord[] = [];
    const mk = (service: string, kind: SpanRecord['kind'], name: string, start: number, duration: number, parent: SpanRecord | undefined, attributes: SpanRecord['attributes'] = {}, error = false): SpanRecord => {
      const s: SpanRecord = {
        traceId, spanId: this.id(16), ...(parent ? { parentSpanId: parent.spanId } : {}), name, kind, service, startTime: start, duration,
        status: { code: error ? 'error' : 'unset' }, attributes, events: error ? [{ name: 'exception', time: start + duration, attributes: { 'exception.type': 'InjectedFault' } }] : [],
      };
      spans.push(s);
      return s;
    };
    // inventory: own work, then a stock query per call
    const invFault = this.fault('inventory', region);
    const invOwn = this.noise(3) + (invFault?.latencyMs ?? 0);
    const sql = this.noise(2) + (invFault?.slowSqlMs ?? 0);
    const invFails = invFault?.errorRate !== undefined && this.random() < invFault.errorRate;
    const invDur = invOwn + (invFails ? 0 : sql);
    const ordFault = this.fault('orders', region);
    const ordOwn = this.noise(5) + (ordFault?.latencyMs ?? 0) + (this.oddNext || 0);
    this.oddNext = 0;
    const ordFails = ordFault?.errorRate !== undefined && this.random() < ordFault.errorRate;
    const gwFault = this.fault('gateway', region);
    const gwOwn = this.noise(4) + (gwFault?.latencyMs ?? 0);
    const gwFails = gwFault?.errorRate !== undefined && this.random() < gwFault.errorRate;
    const net = 1;
    const ordCalls = !ordFails;
    const ordDur = ordOwn + (ordCalls ? invDur + 2 * net : 0);
    const gwCalls = !gwFails;
    const gwDur = gwOwn + (gwCalls ? ordDur + 2 * net : 0);
    const failed = gwFails || (gwCalls && (ordFails || (ordCalls && invFails)));
    const gw = mk('gateway', 'server', `GET ${route}`, t, gwDur, undefined, {
      'http.request.method': 'GET', 'http.route': route, 'http.response.status_code': failed ? 502 : 200, region,
    }, failed);
    if (gwCalls) {
      const ordFailed = ordFails || (ordCalls && invFails);
      const c1 = mk('gateway', 'client', 'GET', t + gwOwn / 2, ordDur + 2 * net, gw, {
        'http.request.method': 'GET', 'server.address': 'orders', 'peer.service': 'orders', 'http.response.status_code': ordFailed ? 500 : 200,
      });
      const o = mk('orders', 'server', 'GET /products', t + gwOwn / 2 + net, ordDur, c1, {
        'http.request.method': 'GET', 'http.route': '/products', 'http.response.status_code': ordFailed ? 500 : 200,
      }, ordFailed);
      if (ordCalls) {
        const c2 = mk('orders', 'client', 'GET', o.startTime + ordOwn / 2, invDur + 2 * net, o, {
          'http.request.method': 'GET', 'peer.service': 'inventory', 'http.response.status_code': invFails ? 500 : 200,
        });
        const inv = mk('inventory', 'server', 'GET /stock', c2.startTime + net, invDur, c2, {
          'http.request.method': 'GET', 'http.route': '/stock', 'http.response.status_code': invFails ? 500 : 200,
        }, invFails);
        if (!invFails) {
          mk('inventory', 'client', 'SELECT inventory.db', inv.startTime + invOwn, sql, inv, {
            'db.system.name': 'sqlite', 'db.namespace': 'inventory.db', 'db.query.text': 'SELECT qty FROM stock WHERE sku = ?',
          });
        }
      }
    }
    return spans;
  }

  /** Runs `seconds` of traffic at `rate` requests per second, ticking metrics and the engine each second. */
  run(seconds: number, rate = 10): void {
    for (let i = 0; i < seconds; i++) {
      const second = this.now;
      for (let k = 0; k < rate; k++) this.send(this.trace(second + (k * 1000) / rate));
      for (const r of this.extraRoutes) if (this.random() < r.rate) this.send(this.trace(second + 500, r.route));
      this.now = second + 1000;
      this.signals.tick(this.now);
      this.engine.tick(this.now);
    }
  }

  send(spans: SpanRecord[]): void {
    for (const s of spans) this.signals.record(s);
    this.engine.addSpans(spans);
  }
}
