/**
 * Deterministic synthetic traces shaped like the demo's: a server span per service hop, database
 * client spans, internal steps, a few errors and slow outliers. The same seed gives the same spans,
 * so every contender in a comparison holds exactly the same data.
 */
import type { SpanKind, SpanRecord } from '@debugpanel/model';

/** mulberry32: a tiny seeded PRNG; Math.random cannot be seeded. */
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

function hex(rand: () => number, chars: number): string {
  let s = '';
  while (s.length < chars) s += ((rand() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
  return s.slice(0, chars);
}

export const SERVICES = ['gateway', 'orders', 'inventory', 'payments', 'users'] as const;
export const ROUTES = ['/orders/:id', '/orders', '/cart', '/users/:id', '/search', '/checkout', '/inventory/:sku', '/health', '/login', '/products/:id'];
const DB_OPS = ['SELECT * FROM orders WHERE id = ?', 'SELECT * FROM items WHERE order_id = ?', 'UPDATE stock SET count = count - ? WHERE sku = ?', 'INSERT INTO audit (event, at) VALUES (?, ?)'];

/** A span as plain data, before it becomes a SpanRecord or an OTel span. */
export interface SpanSpec {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  service: string;
  startTime: number;
  duration: number;
  error: boolean;
  attributes: Record<string, string | number | boolean>;
}

export interface TraceShape {
  /** Spans per trace, root included */
  spans: number;
  /** Fraction of traces with an error (0..1) */
  errorRate?: number;
}

/**
 * Calls `emit` with each span of `traces` traces. Parents come before children; strings are
 * built per span (as an SDK would build them), not shared literals, except the trace id within a
 * trace and constant names.
 */
export function generateSpans(seed: number, traces: number, shape: TraceShape, emit: (s: SpanSpec) => void): void {
  const rand = prng(seed);
  const errorRate = shape.errorRate ?? 0.02;
  let clock = 1_767_225_600_000; // 2026-01-01
  for (let t = 0; t < traces; t++) {
    const traceId = hex(rand, 32);
    const route = ROUTES[Math.floor(rand() * ROUTES.length)]!;
    const service = SERVICES[Math.floor(rand() * 2)]!;
    const failed = rand() < errorRate;
    // 1% of traces are slow outliers, so a "slow" query has something to find.
    const total = rand() < 0.01 ? 500 + rand() * 2000 : 5 + rand() * 60;
    clock += rand() * 2;
    const rootId = hex(rand, 16);
    const id = Math.floor(rand() * 100000);
    emit({
      traceId,
      spanId: rootId,
      name: `GET ${route}`,
      kind: 'server',
      service,
      startTime: clock,
      duration: total,
      error: failed,
      attributes: {
        'http.request.method': 'GET',
        'url.path': route.replace(':id', String(id)).replace(':sku', `sku-${id}`),
        'http.route': route,
        'http.response.status_code': failed ? 500 : 200,
        'server.address': 'localhost',
        'client.address': `10.0.${id % 256}.${(id >> 8) % 256}`,
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) bench',
        'user.id': `u${id % 5000}`,
      },
    });
    const parents = [{ id: rootId, service, start: clock, end: clock + total }];
    for (let i = 1; i < shape.spans; i++) {
      const parent = parents[Math.floor(rand() * parents.length)]!;
      const span = parent.end - parent.start;
      const start = parent.start + rand() * span * 0.5;
      const duration = Math.max(0.01, rand() * (parent.end - start));
      const spanId = hex(rand, 16);
      const r = rand();
      if (r < 0.5) {
        const statement = DB_OPS[i % DB_OPS.length]!;
        emit({
          traceId,
          spanId,
          parentSpanId: parent.id,
          name: statement.split(' ')[0]! + ' shop',
          kind: 'client',
          service: parent.service,
          startTime: start,
          duration,
          error: failed && i === shape.spans - 1,
          attributes: { 'db.system': 'sqlite', 'db.namespace': 'shop', 'db.query.text': `${statement} /* ${i} */` },
        });
      } else if (r < 0.7 && parents.length < 50) {
        // A call to another service: a client span here and a server span there.
        const callee = SERVICES[2 + Math.floor(rand() * 3)]!;
        emit({
          traceId,
          spanId,
          parentSpanId: parent.id,
          name: 'GET',
          kind: 'client',
          service: parent.service,
          startTime: start,
          duration,
          error: false,
          attributes: { 'http.request.method': 'GET', 'url.full': `http://${callee}:3002/stock/${id}`, 'server.address': callee, 'server.port': 3002, 'http.response.status_code': 200 },
        });
        if (++i >= shape.spans) break;
        const serverId = hex(rand, 16);
        emit({
          traceId,
          spanId: serverId,
          parentSpanId: spanId,
          name: 'GET /stock/:sku',
          kind: 'server',
          service: callee,
          startTime: start + 0.2,
          duration: Math.max(0.01, duration - 0.4),
          error: false,
          attributes: { 'http.request.method': 'GET', 'url.path': `/stock/${id}`, 'http.route': '/stock/:sku', 'http.response.status_code': 200 },
        });
        parents.push({ id: serverId, service: callee, start: start + 0.2, end: start + duration - 0.2 });
      } else {
        emit({
          traceId,
          spanId,
          parentSpanId: parent.id,
          name: `step ${i % 7}`,
          kind: 'internal',
          service: parent.service,
          startTime: start,
          duration,
          error: false,
          attributes: { 'code.function': `handle${i % 7}`, 'app.items': i % 13 },
        });
        if (parents.length < 50) parents.push({ id: spanId, service: parent.service, start, end: start + duration });
      }
    }
  }
}

/** The spec as the SpanRecord a debugpanel pipeline stores. */
export function toRecord(s: SpanSpec): SpanRecord {
  const rec: SpanRecord = {
    traceId: s.traceId,
    spanId: s.spanId,
    name: s.name,
    kind: s.kind,
    service: s.service,
    startTime: s.startTime,
    duration: s.duration,
    status: s.error ? { code: 'error', message: 'boom' } : { code: 'unset' },
    attributes: s.attributes,
    events: [],
  };
  if (s.parentSpanId !== undefined) rec.parentSpanId = s.parentSpanId;
  return rec;
}

/** Every span of `traces` traces as SpanRecords, in emission order. */
export function makeRecords(seed: number, traces: number, shape: TraceShape): SpanRecord[] {
  const out: SpanRecord[] = [];
  generateSpans(seed, traces, shape, (s) => out.push(toRecord(s)));
  return out;
}
