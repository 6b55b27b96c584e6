/**
 * The store's query filters and `summaryMatches` (model), which clients use to judge streamed
 * summaries, must agree: on filters a summary decides, they select the same traces; on the others,
 * the summary never refuses a trace the store returns, nor claims one the store leaves out.
 */
import { summaryDecides, summaryMatches, type SpanRecord, type TraceQuery } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { SpanStore } from './span-store.js';

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
let seq = 0;

/** Trace `n`: a server root (route and service vary), a child with attributes, errors now and then. */
function traceOf(n: number): SpanRecord[] {
  const traceId = hex(n + 1, 32);
  const service = ['gateway', 'orders', 'billing'][n % 3]!;
  const root: SpanRecord = {
    traceId, spanId: hex(++seq, 16), name: `GET /r${n % 4}`, kind: 'server', service, startTime: 1000 + n * 10, duration: 5 + (n % 7) * 10,
    status: { code: n % 5 === 0 ? 'error' : 'unset' }, attributes: { 'http.route': `/r${n % 4}`, 'http.response.status_code': 200 }, events: [],
  };
  const child: SpanRecord = {
    traceId, spanId: hex(++seq, 16), parentSpanId: root.spanId, name: n % 2 ? 'SELECT stock' : 'fetch rates', kind: 'client', service: n % 4 === 1 ? 'inventory' : service,
    startTime: root.startTime + 1, duration: 2, status: { code: 'unset' }, attributes: { 'db.system': 'sqlite', 'user.id': String(n % 3) }, events: [],
  };
  return [root, child];
}

describe('store filters and summaryMatches agree', () => {
  const store = new SpanStore();
  for (let n = 0; n < 60; n++) store.addMany(traceOf(n));
  for (let n = 0; n < 60; n += 6) store.setTraceMeta(hex(n + 1, 32), { reason: n % 12 ? 'slow' : 'error' });
  const all = store.query({ limit: 1000 }).traces;
  const queries: TraceQuery[] = [
    {}, { service: 'orders' }, { service: 'inventory' }, { route: '/r2' }, { status: 'error' }, { status: 'ok' },
    { minDuration: 30 }, { maxDuration: 25 }, { minDuration: 15, maxDuration: 45 }, { since: 1200, until: 1400 },
    { reason: 'slow' }, { service: 'gateway', status: 'error', route: '/r0' }, { name: 'GET /r1' },
    { name: 'SELECT stock' }, { text: 'stock' }, { text: 'r3' }, { text: hex(7, 32).slice(20) }, { attributes: { 'user.id': '1' } },
    { service: 'billing', attributes: { 'db.system': 'sqlite' }, minDuration: 20 },
    // a route with another service than the root's: the summary cannot tell, the spans do
    { service: 'inventory', route: '/r1' }, { service: 'orders', route: '/r1' },
  ];
  it.each(queries.map((q) => [JSON.stringify(q), q] as const))('%s', (_name, q) => {
    const stored = new Set(store.query({ ...q, limit: 1000 }).traces.map((t) => t.traceId));
    for (const t of all) {
      const verdict = summaryMatches(t, q);
      if (verdict === true) expect(stored.has(t.traceId), `${t.traceId} should match`).toBe(true);
      if (verdict === false) expect(stored.has(t.traceId), `${t.traceId} should not match`).toBe(false);
    }
  });
  it('has an answer for every trace when the query needs no spans', () => {
    for (const q of queries.filter(summaryDecides)) expect(all.filter((t) => summaryMatches(t, q) === undefined)).toEqual([]);
  });
});
