/**
 * The built-in load generator: a steady, bounded mix of shop requests to the gateway, some slow
 * and some failing, so every panel has data as soon as the demo starts.
 */
import { CUSTOMERS } from './db/orders.js';

export interface LoadRequest {
  /** what the request is for, used in the stats */
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

type Pick = (random: () => number, recentOrders: readonly number[]) => LoadRequest;
const int = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
/** Any product except 13, the one without a price. */
const pricedProduct = (random: () => number) => {
  const id = int(random, 1, 19);
  return id >= 13 ? id + 1 : id;
};

/** Weights out of 100: mostly browsing, some orders, a few slow reports and a few failures. */
const MIX: Array<[weight: number, pick: Pick]> = [
  [33, () => ({ kind: 'list products', method: 'GET', path: '/api/products' })],
  [25, (r) => ({ kind: 'product', method: 'GET', path: `/api/products/${pricedProduct(r)}` })],
  [3, () => ({ kind: 'unpriced product (bug)', method: 'GET', path: '/api/products/13' })],
  [2, (r) => ({ kind: 'unknown product', method: 'GET', path: `/api/products/${int(r, 900, 999)}` })],
  [
    15,
    (r) => {
      const lines = int(r, 1, 2);
      const items = Array.from({ length: lines }, () => ({ productId: pricedProduct(r), quantity: int(r, 1, 3) }));
      return { kind: 'place order', method: 'POST', path: '/api/orders', body: { customer: CUSTOMERS[int(r, 0, CUSTOMERS.length - 1)], items } };
    },
  ],
  [
    3,
    (r) => ({
      kind: 'order beyond stock',
      method: 'POST',
      path: '/api/orders',
      body: { customer: 'bulk-buyer', items: [{ productId: pricedProduct(r), quantity: 500 }] },
    }),
  ],
  [
    8,
    (r, recent) => ({
      kind: 'order',
      method: 'GET',
      path: `/api/orders/${recent.length > 0 && r() < 0.7 ? recent[int(r, 0, recent.length - 1)] : int(r, 1, 1000)}`,
    }),
  ],
  [7, () => ({ kind: 'recent orders', method: 'GET', path: '/api/orders?limit=10' })],
  [4, () => ({ kind: 'slow report', method: 'GET', path: '/api/reports/top-customers' })],
];
const TOTAL_WEIGHT = MIX.reduce((sum, [w]) => sum + w, 0);

/**
 * Picks the next request of the mix. `random` is injectable so tests can steer it.
 * @example pickRequest(() => 0, []) // { kind: 'list products', method: 'GET', path: '/api/products' }
 */
export function pickRequest(random: () => number, recentOrders: readonly number[]): LoadRequest {
  let x = random() * TOTAL_WEIGHT;
  for (const [weight, pick] of MIX) {
    if (x < weight) return pick(random, recentOrders);
    x -= weight;
  }
  return MIX[MIX.length - 1]![1](random, recentOrders);
}

export interface LoadOptions {
  /** Base URL of the gateway, e.g. http://127.0.0.1:3000 */
  target: string;
  /** Requests per second (0.1 to 200). */
  rate: number;
  /** Requests allowed in flight at once; a tick beyond that is skipped and counted. */
  maxInFlight?: number;
  timeoutMs?: number;
  random?: () => number;
}

export interface LoadStats {
  sent: number;
  /** answered with a status below 400 */
  ok: number;
  /** answered 4xx/5xx */
  failed: number;
  /** no answer: refused, reset, timed out */
  networkErrors: number;
  /** cut off by `stop()` */
  aborted: number;
  /** ticks skipped because `maxInFlight` requests were still running */
  skipped: number;
  inFlight: number;
  /** per kind of request: how many, how many failed, and the failures by status ("network" for no answer) */
  byKind: Record<string, { count: number; failed: number; statuses: Record<string, number> }>;
}

export interface LoadGenerator {
  stats(): LoadStats;
  /** Stops sending, gives requests in flight `graceMs` (default 1000) to finish, aborts the rest. */
  stop(graceMs?: number): Promise<void>;
}

const RECENT_ORDERS = 50;

/**
 * Starts sending requests at `rate` per second until `stop()`.
 * @example
 * const load = startLoad({ target: 'http://127.0.0.1:3000', rate: 10 });
 * // ...
 * await load.stop();
 */
export function startLoad(options: LoadOptions): LoadGenerator {
  const { target, rate, maxInFlight = 32, timeoutMs = 10_000, random = Math.random } = options;
  if (!(rate >= 0.1 && rate <= 200)) throw new Error(`load rate must be from 0.1 to 200 requests per second, got ${rate}`);
  const base = target.endsWith('/') ? target.slice(0, -1) : target;
  const stats: LoadStats = { sent: 0, ok: 0, failed: 0, networkErrors: 0, aborted: 0, skipped: 0, inFlight: 0, byKind: {} };
  const recentOrders: number[] = [];
  const abort = new AbortController();
  const pending = new Set<Promise<void>>();

  async function send(req: LoadRequest): Promise<void> {
    const kind = (stats.byKind[req.kind] ??= { count: 0, failed: 0, statuses: {} });
    kind.count++;
    stats.sent++;
    try {
      const res = await fetch(base + req.path, {
        method: req.method,
        headers: { 'content-type': 'application/json', 'x-demo-user': 'load-generator' },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]),
      });
      const body = (await res.json().catch(() => null)) as { id?: unknown } | null;
      if (res.status < 400) {
        stats.ok++;
        if (req.method === 'POST' && typeof body?.id === 'number') {
          recentOrders.push(body.id);
          if (recentOrders.length > RECENT_ORDERS) recentOrders.shift();
        }
      } else {
        stats.failed++;
        kind.failed++;
        kind.statuses[res.status] = (kind.statuses[res.status] ?? 0) + 1;
      }
    } catch {
      if (abort.signal.aborted) {
        stats.aborted++;
        return;
      }
      stats.networkErrors++;
      kind.failed++;
      kind.statuses.network = (kind.statuses.network ?? 0) + 1;
    }
  }

  const timer = setInterval(() => {
    if (pending.size >= maxInFlight) {
      stats.skipped++;
      return;
    }
    const p = send(pickRequest(random, recentOrders)).finally(() => pending.delete(p));
    pending.add(p);
  }, 1000 / rate);

  return {
    stats: () => ({ ...stats, inFlight: pending.size, byKind: structuredClone(stats.byKind) }),
    async stop(graceMs = 1000) {
      clearInterval(timer);
      if (pending.size > 0) {
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...pending]), new Promise((r) => (grace = setTimeout(r, graceMs)))]);
        clearTimeout(grace);
      }
      abort.abort();
      await Promise.allSettled([...pending]);
    },
  };
}

/**
 * One line for the console, e.g. `load: 300 sent, 270 ok, 30 failed, 0 unanswered (10% not ok)`;
 * with `byKind`, followed by what failed and how, e.g. `; failed: unpriced product (bug) 502x9, ...`.
 */
export function formatLoadStats(s: LoadStats, byKind = false): string {
  const pct = s.sent > 0 ? Math.round((100 * (s.failed + s.networkErrors)) / s.sent) : 0;
  const skipped = s.skipped > 0 ? `, ${s.skipped} skipped (too many in flight)` : '';
  let line = `load: ${s.sent} sent, ${s.ok} ok, ${s.failed} failed, ${s.networkErrors} unanswered (${pct}% not ok)${skipped}`;
  if (byKind) {
    const failed = Object.entries(s.byKind)
      .filter(([, k]) => k.failed > 0)
      .sort((a, b) => b[1].failed - a[1].failed)
      .map(([kind, k]) => `${kind} ${Object.entries(k.statuses).map(([status, n]) => `${status}x${n}`).join(' ')}`);
    if (failed.length > 0) line += `; failed: ${failed.join(', ')}`;
  }
  return line;
}
