import { criticalPath } from '@debugpanel/flamegraph';
import { Interner, type SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { digestTrace } from './digest.js';

const T = 'ab'.repeat(16);
function span(spanId: string, parent: string | undefined, service: string, kind: SpanRecord['kind'], name: string, start: number, duration: number, attributes: SpanRecord['attributes'] = {}, error = false): SpanRecord {
  return {
    traceId: T, spanId: spanId.padStart(16, '0'), ...(parent ? { parentSpanId: parent.padStart(16, '0') } : {}), name, kind, service, startTime: start, duration,
    status: error ? { code: 'error', message: 'boom' } : { code: 'unset' }, attributes,
    events: error ? [{ name: 'exception', time: start + duration, attributes: { 'exception.type': 'SqliteError' } }] : [],
  };
}
/** inventory: a server span and three stock queries (the third fails) */
function spans(): SpanRecord[] {
  const db = { 'db.system.name': 'sqlite', 'db.query.text': 'SELECT qty FROM stock WHERE sku = ?' };
  return [
    span('1', undefined, 'inventory', 'server', 'GET /stock', 0, 40, { 'http.request.method': 'GET', 'http.route': '/stock' }, true),
    span('2', '1', 'inventory', 'client', 'SELECT', 1, 10, db),
    span('3', '1', 'inventory', 'client', 'SELECT', 12, 12, db),
    span('4', '1', 'inventory', 'client', 'SELECT', 25, 5, db, true),
  ];
}

describe('digestTrace', () => {
  it('names a database op by its fingerprint and keeps its span durations and system', () => {
    const d = digestTrace(spans(), criticalPath, () => ({ id: 'f00d', text: 'select qty from stock where sku = ?' }))!;
    const op = d.ops.find((o) => o.service === 'inventory' && o.operation === 'select qty from stock where sku = ?')!;
    expect(op).toMatchObject({ count: 3, fingerprint: 'f00d', system: 'sqlite', durations: [10, 12, 5], errors: 1 });
    // the server span is not a database op: no durations
    expect(d.ops.find((o) => o.operation === 'GET /stock')!.durations).toBeUndefined();
  });

  it('without a fingerprint function, a statement is named by its collapsed text', () => {
    const d = digestTrace(spans(), criticalPath)!;
    const op = d.ops.find((o) => o.durations)!;
    expect(op.operation).toBe('SELECT qty FROM stock WHERE sku = ?');
    expect(op.fingerprint).toBeUndefined();
  });

  it('records the error group of the deepest erroring span, and the trace findings (bounded copies)', () => {
    const seen: string[] = [];
    const d = digestTrace(spans(), criticalPath, undefined, (s) => {
      seen.push(s.spanId);
      return { fingerprint: 'e770', type: 'SqliteError', message: 'disk I/O error' };
    }, () => [
      { kind: 'n+1', service: 'inventory', route: 'GET /stock', statement: 'select qty from stock where sku = ?', count: 3, totalMs: 27, spanIds: ['a', 'b', 'c'] } as never,
    ])!;
    expect(seen).toEqual(['0000000000000004']); // the origin only, not the server span that passed it on
    expect(d).toMatchObject({ origin: 'inventory\0SELECT qty FROM stock WHERE sku = ?', originGroup: 'e770', originGroupType: 'SqliteError', originGroupMessage: 'disk I/O error', originMessage: 'SqliteError' });
    expect(d.findings).toEqual([{ kind: 'n+1', service: 'inventory', route: 'GET /stock', statement: 'select qty from stock where sku = ?', count: 3, totalMs: 27 }]);
  });

  it('builds its strings through intern: a second digest of the same shape adds none to the table', () => {
    const interner = new Interner();
    const intern = (x: string) => interner.intern(x);
    const plain = digestTrace(spans(), criticalPath)!;
    const first = digestTrace(spans(), criticalPath, undefined, undefined, undefined, undefined, intern)!;
    const held = interner.size;
    // scopes, op keys, the route's operation and the attribute pairs went through it
    expect(held).toBeGreaterThanOrEqual(first.scopes.length + first.ops.length + first.attrs.length);
    const second = digestTrace(spans(), criticalPath, undefined, undefined, undefined, undefined, intern)!;
    expect(interner.size).toBe(held);
    // what a digest says does not change
    expect(first).toEqual(plain);
    expect(second).toEqual(plain);
  });

  it('takes a plain string as an error group', () => {
    const d = digestTrace(spans(), criticalPath, undefined, () => 'e771')!;
    expect(d.originGroup).toBe('e771');
    expect(d.originGroupType).toBeUndefined();
  });

  it("leaves the panel's own marks (a chaos rule's tag) out of the attributes", () => {
    const all = spans();
    all[0]!.attributes = { ...all[0]!.attributes, 'debugpanel.chaos.rule': 'c0ffee', region: 'eu' };
    const d = digestTrace(all, criticalPath)!;
    expect(d.attrs).toContain('inventory:region=eu');
    expect(d.attrs.some((a) => a.includes('debugpanel.'))).toBe(false);
  });

  it('a call\'s wait before its callee\'s server span started is the callee\'s time (its busy loop, its queue), the wait after it ended stays the caller\'s', () => {
    const http = { 'http.request.method': 'GET', 'http.route': '/products' };
    const trace = [
      span('a', undefined, 'gateway', 'server', 'GET /api/products', 0, 100, { 'http.request.method': 'GET', 'http.route': '/api/products' }),
      // the call to orders: 90 ms, orders' span starts 30 ms late (its event loop was blocked) and ends 5 ms before the response is read
      span('b', 'a', 'gateway', 'client', 'GET', 5, 90, { 'http.request.method': 'GET', 'server.address': 'orders' }),
      span('c', 'b', 'orders', 'server', 'GET /products', 35, 55, http),
    ];
    const d = digestTrace(trace, criticalPath)!;
    const self = (service: string, op: string) => d.ops.find((o) => o.service === service && o.operation === op)!.self;
    expect(self('orders', 'GET /products')).toBeCloseTo(55 + 30, 5);
    expect(self('gateway', 'GET')).toBeCloseTo(5, 5);
    expect(self('gateway', 'GET /api/products')).toBeCloseTo(10, 5);
  });
});
