import { describe, expect, it, vi } from 'vitest';
import type { Attributes, SpanRecord } from '@debugpanel/model';
import { QueryInsights } from '@debugpanel/queries';
import { SpanStore } from '@debugpanel/span-store';
import { createQueryFeed } from './query-feed.js';

let traceNo = 1;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

/** A request: a server root and, optionally, children (queries, an outgoing call). */
function request(route: string) {
  const no = traceNo++;
  const traceId = hex(no, 32);
  const t0 = Date.now() - 1_000;
  let id = 1;
  const spans: SpanRecord[] = [];
  const span = (name: string, kind: SpanRecord['kind'], start: number, duration: number, attributes: Attributes, parent?: SpanRecord): SpanRecord => {
    const s: SpanRecord = { traceId, spanId: hex(no * 1000 + id++, 16), name, kind, service: 'shop', startTime: t0 + start, duration, status: { code: 'unset' }, attributes, events: [] };
    if (parent) s.parentSpanId = parent.spanId;
    spans.push(s);
    return s;
  };
  const root = span(`GET ${route}`, 'server', 0, 50, { 'http.route': route });
  return {
    traceId,
    spans,
    root,
    query: (sql: string, start: number, duration = 2) => span(sql.split(' ')[0]!, 'client', start, duration, { 'db.system.name': 'postgresql', 'db.namespace': 'shop', 'db.query.text': sql }, root),
    internal: (name: string) => span(name, 'internal', 1, 1, {}, root),
    get: (url: string, start: number) => span('GET', 'client', start, 2, { 'http.request.method': 'GET', 'url.full': url, 'server.address': new URL(url).hostname, 'server.port': 80 }, root),
  };
}

/** An N+1: the same SELECT six times under the root. */
function withNPlusOne(route: string) {
  const r = request(route);
  for (let i = 0; i < 6; i++) r.query(`SELECT * FROM items WHERE id = ${i}`, 1 + i * 3);
  return r;
}

/** Stores and hands over requests as the pipeline does: kept spans first, then their roots. */
function keep(store: SpanStore, feed: ReturnType<typeof createQueryFeed>, ...requests: Array<{ spans: SpanRecord[]; root: SpanRecord }>): void {
  const spans = requests.flatMap((r) => r.spans);
  store.addBatch(spans);
  feed.onKeptSpans(spans);
  for (const r of requests) feed.onLocalRoot(r.root);
}

describe('createQueryFeed: reads back only requests with something to analyse', () => {
  it('analyses a trace with queries and only counts one without, never reading it back', () => {
    const store = new SpanStore();
    const feed = createQueryFeed(store, { delayMs: 0 });
    const reads = vi.spyOn(store, 'getTrace');
    const orders = withNPlusOne('/orders');
    const hello = request('/hello');
    hello.internal('render');
    const plainOrders = request('/orders'); // a request of the same route without queries
    keep(store, feed, orders, hello, plainOrders);
    feed.drain();
    expect(reads.mock.calls.map((c) => c[0])).toEqual([orders.traceId]);

    // The same as reading every request back (what the feed did before): route totals included.
    const reference = new QueryInsights();
    for (const r of [orders, hello, plainOrders]) reference.addTrace(store.getTrace(r.traceId)!);
    expect(feed.insights.stats().tracesAnalysed).toBe(3);
    expect(feed.insights.stats()).toEqual(reference.stats());
    expect(feed.insights.findings()).toEqual(reference.findings());
    expect(feed.insights.queries()).toEqual(reference.queries());
    const finding = feed.insights.findings({ kind: 'n+1' })[0]!;
    expect(finding.route).toBe('GET /orders');
    expect(finding.routeRequests).toBe(2); // the request without queries counts for its route
    feed.close();
  });

  it('still analyses a trace whose query reached the pipeline in a later batch than its root', () => {
    const store = new SpanStore();
    const feed = createQueryFeed(store, { delayMs: 0 });
    const reads = vi.spyOn(store, 'getTrace');
    const r = request('/late');
    keep(store, feed, r); // the root alone
    const late = r.query('SELECT * FROM audit WHERE id = 1', 60);
    store.addBatch([late]);
    feed.onKeptSpans([late]);
    feed.drain();
    expect(reads).toHaveBeenCalledWith(r.traceId);
    expect(feed.insights.queries().map((q) => q.statement)).toEqual(['select * from audit where id = ?']);
    feed.close();
  });

  it('reads back a trace with a query that ended in an earlier batch than its root', () => {
    const store = new SpanStore();
    const feed = createQueryFeed(store, { delayMs: 0 });
    const reads = vi.spyOn(store, 'getTrace');
    const r = withNPlusOne('/early');
    const [root, ...queries] = r.spans;
    store.addBatch(queries);
    feed.onKeptSpans(queries);
    keep(store, feed, { spans: [root!], root: root! });
    feed.drain();
    expect(reads).toHaveBeenCalledWith(r.traceId);
    expect(feed.insights.findings({ kind: 'n+1' })).toHaveLength(1);
    feed.close();
  });

  it('reads back a trace with outgoing HTTP calls only (N+1 HTTP calls are found there)', () => {
    const store = new SpanStore();
    const feed = createQueryFeed(store, { delayMs: 0 });
    const reads = vi.spyOn(store, 'getTrace');
    const r = request('/fan');
    for (let i = 0; i < 6; i++) r.get(`http://stock.local/items/${i}`, 1 + i * 3);
    keep(store, feed, r);
    feed.drain();
    expect(reads).toHaveBeenCalledWith(r.traceId);
    const reference = new QueryInsights();
    reference.addTrace(r.spans);
    expect(feed.insights.findings()).toEqual(reference.findings());
    feed.close();
  });

  it('reads back a request that began longer ago than its trace\'s queries are remembered', () => {
    const store = new SpanStore();
    const feed = createQueryFeed(store, { delayMs: 0 });
    const reads = vi.spyOn(store, 'getTrace');
    const r = request('/long');
    r.root.startTime -= 70_000;
    r.root.duration += 70_000;
    keep(store, feed, r);
    feed.drain();
    expect(reads).toHaveBeenCalledWith(r.traceId);
    expect(feed.insights.stats().tracesAnalysed).toBe(1);
    feed.close();
  });

  it('does not count a request without queries whose trace left the store before its turn', () => {
    const store = new SpanStore();
    const feed = createQueryFeed(store, { delayMs: 0 });
    keep(store, feed, request('/gone'));
    store.clear();
    feed.drain();
    expect(feed.insights.stats().tracesAnalysed).toBe(0);
    feed.close();
  });

  it('drops the oldest waiting request when its queue is full, and counts it', () => {
    const store = new SpanStore();
    const feed = createQueryFeed(store, { delayMs: 60_000, maxQueue: 2 });
    const a = request('/a');
    const b = request('/b');
    const c = withNPlusOne('/c');
    keep(store, feed, a, b, c);
    expect(feed.stats()).toMatchObject({ queued: 2, droppedTraces: 1 });
    feed.drain();
    expect(feed.insights.stats().tracesAnalysed).toBe(2);
    expect(feed.insights.findings({ kind: 'n+1' })[0]!.route).toBe('GET /c');
    expect(feed.stats().queued).toBe(0);
    feed.close();
  });
});
