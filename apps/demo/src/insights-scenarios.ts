/**
 * Fault scenarios for insights on the real demo, shared by the integration test
 * (`insights.test.ts`) and the evaluation (`insights-eval.ts`, `npm run eval:demo`): panel options
 * that shorten warm-up and windows, the faults as chaos rules (each on the faulty service's own
 * panel, so it starts at once), and a poll of the gateway hub's incidents.
 */
import type { ChaosRuleInput, IncidentDetail, InsightsResponse, Suspect } from '@debugpanel/model';
import type { ServiceName } from './config.js';

/**
 * Panel options (the `DEMO_PANEL` environment variable) for runs of a minute, not hours: 5 s
 * coarse slots, baselines over the last 90 s (long enough that a route of a few requests per second
 * stays ready when the slots of the last fault's anomaly are left out of it), a 10 s
 * detection window, a 20 s warm-up, anomalies that end 8 s after the signal is back, ranking
 * baselines of the last 20 s of traces. Traces settle 3 s after their last span (the default), as
 * the other services' spans reach the hub in 1 s batches and a busy machine delays them further. The defaults (10 s slots, 15 s window,
 * 5 min warm-up) are made for real traffic; these are for tests and the evaluation.
 */
export const FAST_INSIGHTS = {
  metrics: { coarseResolution: 5, coarseWindow: 900 },
  insights: {
    windowSeconds: 10, baselineSeconds: 90, warmupMs: 20_000, warmupRequests: 20, closeAfterMs: 8_000,
    minCount: 5, settleMs: 3_000, rankEveryMs: 2_000, baselineTracesMs: 20_000,
    // A 10 s window at a few requests per second holds few errors: 1e-6 (the default, for every
    // series every second for hours) would need more than a 20% error rate to pass.
    alpha: 1e-4,
  },
  alerts: { pendingMs: 3_000 },
};

export type FaultKind = 'latency' | 'errors' | 'slow-sql';

export interface Scenario {
  name: string;
  /** the faulty service: the rule goes to its own panel */
  service: ServiceName;
  kind: FaultKind;
  rule: ChaosRuleInput;
  /** what the top suspect should name */
  expect: { service: string; operation?: string; operationContains?: string };
  /** drawn at random (`randomScenario`): amplitude, route or statement the ranking was never tuned on */
  random?: boolean;
}

/** The inventory stock query the product list runs once per product (20 times: the demo's N+1). */
export const STOCK_QUERY = 'select sum(quantity) as total from stock where product_id = ?';
export const ORDER_QUERY = 'select * from orders where id = ?';

/** Every fault of the evaluation: latency, errors and a slow statement in each service (the gateway has no database). */
export function scenarios(durationMs = 60_000): Scenario[] {
  const latency = (service: ServiceName): Scenario => ({
    name: `${service} +200 ms`, service, kind: 'latency',
    rule: { name: `eval ${service} latency`, target: 'incoming', fault: { kind: 'latency', ms: 200 }, durationMs },
    expect: { service },
  });
  const errors = (service: ServiceName): Scenario => ({
    name: `${service} 20% errors`, service, kind: 'errors',
    rule: { name: `eval ${service} errors`, target: 'incoming', fault: { kind: 'error', status: 503 }, rate: 0.2, durationMs },
    expect: { service },
  });
  return [
    latency('gateway'), latency('orders'), latency('inventory'),
    errors('gateway'), errors('orders'), errors('inventory'),
    slowStockQuery(durationMs),
    {
      name: 'orders slow SQL (order look-up +40 ms)', service: 'orders', kind: 'slow-sql',
      rule: { name: 'eval orders slow sql', target: 'db', fault: { kind: 'latency', ms: 40 }, scope: { statement: 'FROM orders WHERE id' }, durationMs },
      expect: { service: 'orders', operation: ORDER_QUERY },
    },
  ];
}

/**
 * inventory's stock query `ms` slower: the product list (20 of them per request) gets 20 x `ms`
 * slower at the gateway. better-sqlite3 is synchronous, so an injected statement delay blocks
 * inventory's event loop: keep `ms` x 20 x product lists per second well below 1 s.
 */
export function slowStockQuery(durationMs = 60_000, ms = 12): Scenario {
  return {
    name: `inventory slow SQL (stock query +${ms} ms)`, service: 'inventory', kind: 'slow-sql',
    rule: { name: 'slow stock query', target: 'db', fault: { kind: 'latency', ms }, scope: { statement: 'SUM(quantity) AS total FROM stock' }, durationMs },
    expect: { service: 'inventory', operation: STOCK_QUERY },
  };
}

export interface PanelClient {
  /** GET a JSON route of a service's panel */
  get<T>(service: ServiceName, path: string): Promise<T>;
  /** adds a chaos rule on a service's own panel, returns its id */
  addRule(service: ServiceName, rule: ChaosRuleInput): Promise<string>;
  clearRules(service: ServiceName): Promise<void>;
}

export function panelClient(urls: Record<ServiceName, string>, token: string): PanelClient {
  const headers = { authorization: `Bearer ${token}` };
  return {
    async get<T>(service: ServiceName, path: string): Promise<T> {
      const res = await fetch(`${urls[service]}/_debug${path}`, { headers, signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`${service} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async addRule(service, rule) {
      const res = await fetch(`${urls[service]}/_debug/api/chaos/rules`, {
        method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(rule),
      });
      const body = (await res.json()) as { id?: string; error?: string };
      if (res.status !== 201 || !body.id) throw new Error(`${service}: rule not accepted (${res.status}): ${JSON.stringify(body)}`);
      return body.id;
    },
    async clearRules(service) {
      await fetch(`${urls[service]}/_debug/api/chaos/rules`, { method: 'DELETE', headers });
    },
  };
}

/** Does a suspect name what a scenario expects (the service, and the statement when one is expected)? */
export function names(s: Suspect | undefined, expected: Scenario['expect']): boolean {
  if (s === undefined || s.service !== expected.service) return false;
  if (expected.operation !== undefined && s.operation !== expected.operation) return false;
  const part = expected.operationContains?.toLowerCase().replace(/\s+/g, ' ');
  return part === undefined || (s.operation ?? '').toLowerCase().replace(/\s+/g, ' ').includes(part);
}

/** Incoming routes of each service that the load generator reaches (a latency or error fault may hit only one). */
const ROUTES: Record<ServiceName, string[]> = {
  gateway: ['/api/products', '/api/products/:id', '/api/orders'],
  orders: ['/products', '/products/:id', '/orders'],
  inventory: ['/products', '/products/:id', '/reservations'],
};

/**
 * Statements on each database service's hot paths, with the range of delay that keeps a
 * synchronous driver's blocked event loop below saturation at a few requests per second (the stock
 * query runs 20 times per product list).
 */
const STATEMENTS: Partial<Record<ServiceName, Array<{ text: string; ms: [number, number] }>>> = {
  inventory: [
    { text: 'SUM(quantity) AS total FROM stock', ms: [6, 15] },
    { text: 'FROM products WHERE id', ms: [25, 80] },
    { text: 'FROM products ORDER BY id', ms: [25, 80] },
  ],
  orders: [
    { text: 'FROM orders WHERE id', ms: [25, 80] },
    { text: 'FROM order_items WHERE order_id', ms: [20, 60] },
  ],
};

/**
 * A fault of `kind` in `service` drawn at random, unlike the fixed ones of `scenarios()` that the
 * ranking was developed on: latency 120-300 ms on the whole service or on one of its busier routes
 * (half of the time); an error rate of 12-30% (status 500, 502 or 503) on the whole service (one
 * route's errors at a few requests per second are too few for any test); a slow SQL fault on any
 * of the service's hot statements, with a random delay.
 */
export function randomScenario(service: ServiceName, kind: FaultKind, random: () => number, durationMs = 60_000): Scenario | undefined {
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const between = (a: number, b: number) => Math.round(a + random() * (b - a));
  if (kind === 'latency') {
    const route = random() < 0.5 ? pick(ROUTES[service]) : undefined;
    const where = route ? ` on ${route}` : '';
    const scope = route ? { scope: { route } } : {};
    const ms = between(120, 300);
    return {
      name: `${service} +${ms} ms${where}`, service, kind, random: true,
      rule: { name: `eval ${service} latency`, target: 'incoming', fault: { kind: 'latency', ms }, ...scope, durationMs },
      expect: { service },
    };
  }
  if (kind === 'errors') {
    const rate = between(12, 30) / 100;
    const status = pick([500, 502, 503]);
    return {
      name: `${service} ${Math.round(rate * 100)}% ${status}`, service, kind, random: true,
      rule: { name: `eval ${service} errors`, target: 'incoming', fault: { kind: 'error', status }, rate, durationMs },
      expect: { service },
    };
  }
  const statements = STATEMENTS[service];
  if (!statements) return undefined;
  const st = pick(statements);
  const ms = between(...st.ms);
  return {
    name: `${service} slow SQL (${st.text} +${ms} ms)`, service, kind, random: true,
    rule: { name: `eval ${service} slow sql`, target: 'db', fault: { kind: 'latency', ms }, scope: { statement: st.text }, durationMs },
    expect: { service, operationContains: st.text },
  };
}

/**
 * Polls the hub's incidents that started at or after `since` until `done` says so or the time is
 * up; returns the last details seen (oldest first).
 */
export async function watchIncidents(
  client: PanelClient, since: number, timeoutMs: number, done: (incidents: IncidentDetail[]) => boolean,
): Promise<IncidentDetail[]> {
  const deadline = Date.now() + timeoutMs;
  let last: IncidentDetail[] = [];
  // An anomaly's start is dated back to the first of the ticks its rule had to hold (openTicks,
  // 3 s by default), so an incident that opened 2 s after the fault starts before it.
  const from = since - 3000;
  for (;;) {
    const list = await client.get<InsightsResponse>('gateway', '/api/insights?limit=50');
    const fresh = list.incidents.filter((i) => i.startedAt >= from).reverse();
    last = await Promise.all(fresh.map((i) => client.get<IncidentDetail>('gateway', `/api/insights/${i.id}`)));
    if (done(last) || Date.now() >= deadline) return last;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** One line per incident, for failure messages and the eval's log. */
export function describeIncidents(incidents: IncidentDetail[]): string {
  return incidents
    .map((i) => `${i.id} ${i.state} ${i.signal} ${i.scope.service} ${i.scope.route ?? i.scope.dependency ?? ''} [${i.members.map((m) => `${m.signal}@${m.scope.service}:${m.scope.route ?? m.scope.dependency ?? ''}`).join(', ')}]\n` +
      i.ranked.slice(0, 3).map((s, k) => `   ${k + 1}. ${s.kind} ${s.service} ${s.operation ?? s.attribute ?? ''} (${s.score.toFixed(2)})`).join('\n'))
    .join('\n');
}
