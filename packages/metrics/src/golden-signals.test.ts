import { describe, expect, it, vi } from 'vitest';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { SpanRecord } from '@debugpanel/model';
import { GoldenSignals, dependencyOf, windowPercentiles } from './golden-signals.js';

const T0 = 1_700_000_000_000; // a whole second

function serverSpan(over: Partial<SpanRecord> & { route?: string; statusCode?: number } = {}): SpanRecord {
  const { route = '/orders/:id', statusCode = 200, ...rest } = over;
  return {
    traceId: 'a'.repeat(31) + '1',
    spanId: 'b'.repeat(16),
    name: `GET ${route}`,
    kind: 'server',
    service: 'orders',
    startTime: T0,
    duration: 10,
    status: { code: statusCode >= 500 ? 'error' : 'unset' },
    attributes: { 'http.route': route, 'http.request.method': 'GET', 'http.response.status_code': statusCode },
    events: [],
    ...rest,
  };
}

function clientSpan(attributes: SpanRecord['attributes'], over: Partial<SpanRecord> = {}): SpanRecord {
  return { ...serverSpan(), kind: 'client', name: 'SELECT', attributes, ...over };
}

function setup(options: ConstructorParameters<typeof GoldenSignals>[0] = {}) {
  let now = T0;
  const g = new GoldenSignals({ process: false, now: () => now, ...options });
  return { g, advance: (ms: number) => { now += ms; g.tick(); } };
}

describe('GoldenSignals counts and latency', () => {
  it('matches a known request mix exactly: n requests, k errors, latency within histogram precision', () => {
    const { g, advance } = setup();
    // second 1: 100 requests of 1..100 ms, 7 of them 500s
    for (let i = 1; i <= 100; i++) g.record(serverSpan({ duration: i, statusCode: i <= 7 ? 500 : 200 }));
    advance(1000);
    // second 2: 10 requests of 50 ms, 1 with error status and no HTTP code
    for (let i = 0; i < 10; i++) {
      g.record(serverSpan({ duration: 50, status: { code: i === 0 ? 'error' : 'ok' } }));
    }
    advance(1000);
    const r = g.query({ service: 'orders', route: '/orders/:id', window: 3 });
    expect(r.resolution).toBe(1);
    expect(r.times).toHaveLength(3);
    const s = r.series[0]!;
    expect(s.count).toEqual([0, 100, 10]);
    expect(s.errors).toEqual([0, 7, 1]);
    expect(s.rate).toEqual([0, 100, 10]);
    expect(s.errorRate[1]).toBeCloseTo(0.07);
    // HdrHistogram with 2 significant digits: within 1%
    expect(s.p50[1]).toBeGreaterThanOrEqual(49.5);
    expect(s.p50[1]).toBeLessThanOrEqual(50.5);
    expect(s.p99[1]).toBeGreaterThanOrEqual(98);
    expect(s.p99[1]).toBeLessThanOrEqual(100);
    expect(s.max[1]).toBe(100);
    expect(s.p95[2]).toBeCloseTo(50, 0);
    // the whole service: the same here, as it has one route
    const svc = g.query({ service: 'orders', window: 3 }).series[0]!;
    expect(svc.labels.route).toBe('*');
    expect(svc.count).toEqual([0, 100, 10]);
  });

  it('series prepared per route (keyed by span name) never mix spans whose name is the same but whose labels differ', () => {
    const { g, advance } = setup();
    for (let i = 0; i < 5; i++) {
      g.record(serverSpan({ duration: 10 }));
      // same name, another method, route and service: each must land in its own series
      g.record(serverSpan({ duration: 20, attributes: { 'http.route': '/orders/:id', 'http.request.method': 'POST' } }));
      g.record(serverSpan({ duration: 30, attributes: { 'http.route': '/other', 'http.request.method': 'GET' } }));
      g.record(serverSpan({ duration: 40, service: 'billing' }));
      // unmatched: named by its raw path, counted under `unmatched`
      g.record(serverSpan({ name: `GET /raw/${i}`, attributes: { 'http.request.method': 'GET' } }));
    }
    advance(1000);
    const rows = g.table('server', 10).map((r) => [r.labels.service, r.labels.method, r.labels.route, r.count]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['orders', 'GET', '/orders/:id', 5],
        ['orders', 'POST', '/orders/:id', 5],
        ['orders', 'GET', '/other', 5],
        ['billing', 'GET', '/orders/:id', 5],
        ['orders', 'GET', 'unmatched', 5],
      ]),
    );
    expect(rows).toHaveLength(5);
    expect(g.query({ service: 'orders', window: 2 }).series[0]!.count.at(-1)).toBe(20);
    expect(g.query({ service: 'billing', window: 2 }).series[0]!.count.at(-1)).toBe(5);
  });

  it('keeps the slowest trace of each second as the exemplar', () => {
    const { g, advance } = setup();
    g.record(serverSpan({ duration: 5, traceId: '1'.repeat(32) }));
    g.record(serverSpan({ duration: 90, traceId: '2'.repeat(32) }));
    g.record(serverSpan({ duration: 7, traceId: '3'.repeat(32) }));
    advance(1000);
    const s = g.query({ route: '/orders/:id', window: 1 }).series[0]!;
    expect(s.exemplars).toEqual(['2'.repeat(32)]);
  });

  it('uses the coarse ring beyond the fine window', () => {
    const { g, advance } = setup({ fineWindow: 60, coarseResolution: 10 });
    for (let sec = 0; sec < 30; sec++) {
      g.record(serverSpan({ duration: 20 }));
      g.record(serverSpan({ duration: 20 }));
      advance(1000);
    }
    const r = g.query({ route: '/orders/:id', window: 600 });
    expect(r.resolution).toBe(10);
    const counts = r.series[0]!.count;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60);
    expect(counts.slice(-3)).toEqual([20, 20, 20]);
    expect(r.series[0]!.rate.slice(-1)).toEqual([2]);
  });

  it('counts client spans per dependency, errors from status', () => {
    const { g, advance } = setup();
    g.record(clientSpan({ 'db.system.name': 'sqlite', 'db.namespace': 'orders.db', 'db.query.text': 'SELECT 1' }));
    g.record(clientSpan({ 'db.system': 'sqlite', 'db.namespace': 'orders.db' }, { status: { code: 'error' } }));
    g.record(clientSpan({ 'http.request.method': 'GET', 'server.address': 'inventory', 'server.port': 3002 }));
    g.record({ ...serverSpan(), kind: 'internal' });
    advance(1000);
    const deps = g.table('client', 10);
    const db = deps.find((d) => d.labels.dependency === 'sqlite orders.db')!;
    expect(db).toMatchObject({ count: 2, errors: 1, errorRate: 0.5 });
    expect(db.labels.type).toBe('db');
    expect(deps.find((d) => d.labels.dependency === 'inventory:3002')?.count).toBe(1);
    expect(g.stats().recordedSpans).toBe(3); // the internal span is not a request
  });

  it('names dependencies with model calleeOf (as the service map does), with the type of call', () => {
    expect(dependencyOf(clientSpan({ 'peer.service': 'billing', 'server.address': '10.0.0.1' }))).toEqual({ dependency: 'billing', type: 'http' });
    expect(dependencyOf(clientSpan({ 'db.system.name': 'sqlite', 'db.namespace': ':memory:' }))).toEqual({ dependency: 'sqlite :memory: (orders)', type: 'db' });
    expect(dependencyOf(clientSpan({ 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' }))).toEqual({ dependency: 'kafka orders', type: 'messaging' });
    expect(dependencyOf(clientSpan({ 'http.request.method': 'GET', 'url.full': 'https://api.example.com/v1' }))).toEqual({ dependency: 'api.example.com', type: 'http' });
    expect(dependencyOf(clientSpan({ 'net.peer.name': 'legacy', 'net.peer.port': 8080 }))).toEqual({ dependency: 'legacy:8080', type: 'other' });
    expect(dependencyOf(clientSpan({}))).toEqual({ dependency: 'unknown', type: 'other' });
  });

  it('counts a client 4xx as an error and a server 4xx not (OTel HTTP conventions)', () => {
    const { g, advance } = setup();
    g.record(serverSpan({ statusCode: 404 }));
    g.record(serverSpan({ statusCode: 500 }));
    const call = { 'http.request.method': 'GET', 'server.address': 'inventory', 'server.port': 3002 };
    g.record(clientSpan({ ...call, 'http.response.status_code': 404 }, { status: { code: 'unset' } }));
    g.record(clientSpan({ ...call, 'http.response.status_code': 200 }, { status: { code: 'unset' } }));
    advance(1000);
    expect(g.table('server', 10).find((r) => r.labels.route === '/orders/:id')).toMatchObject({ count: 2, errors: 1 });
    expect(g.table('client', 10).find((r) => r.labels.dependency === 'inventory:3002')).toMatchObject({ count: 2, errors: 1 });
  });
});

describe('GoldenSignals cardinality guard', () => {
  it('holds under 10,000 distinct raw paths: spans without a route template count as `unmatched`', () => {
    const { g } = setup();
    for (let i = 0; i < 10_000; i++) {
      const s = serverSpan({ name: `GET /users/${i}` });
      delete s.attributes['http.route'];
      s.attributes['url.path'] = `/users/${i}`;
      g.record(s);
    }
    expect(g.stats().series.server).toBe(1);
    expect(g.table('server')[0]!.labels.route).toBe('unmatched');
  });

  it('folds label sets beyond maxSeries into `other` and counts them', () => {
    const { g, advance } = setup({ maxSeries: 50 });
    for (let i = 0; i < 10_000; i++) g.record(serverSpan({ route: `/r${i}` }));
    advance(1000);
    const st = g.stats();
    expect(st.series.server).toBe(51); // 50 + the `other` fold target
    expect(st.foldedSpans).toBe(10_000 - 50);
    const other = g.table('server', 10).find((r) => r.labels.route === 'other')!;
    expect(other.count).toBe(10_000 - 50);
  });

  it('validates options with clear messages', () => {
    expect(() => new GoldenSignals({ maxSeries: 0 })).toThrow(/maxSeries must be a positive integer/);
    expect(() => new GoldenSignals({ coarseResolution: 15, fineResolution: 2 })).toThrow(/multiple/);
    expect(() => new GoldenSignals({ maxSerie: 3 } as never)).toThrow(/unknown option "maxSerie"; did you mean "maxSeries"\?/);
    expect(() => new GoldenSignals({ process: 'no' } as never)).toThrow(/metrics: process must be true or false/);
  });
});

describe('GoldenSignals memory', () => {
  it('stays flat over an hour of simulated time', () => {
    const { g, advance } = setup();
    // Warm up for 5 minutes with the whole spread of latencies (packed histograms size to the
    // values they have seen), then an hour more must not add a byte.
    const second = (sec: number) => {
      for (let r = 0; r < 20; r++) g.record(serverSpan({ route: `/r${r}`, duration: (sec % 300) + r }));
      advance(1000);
    };
    for (let sec = 0; sec < 300; sec++) second(sec);
    const before = g.stats().bytes;
    for (let sec = 0; sec < 3600; sec++) {
      for (let r = 0; r < 20; r++) g.record(serverSpan({ route: `/r${r}`, duration: (sec % 300) + r }));
      advance(1000);
    }
    expect(g.stats().bytes).toBe(before);
    expect(g.stats().series.server).toBe(20);
    // and the last 10 minutes are still there at 1 s resolution
    const q = g.query({ route: '/r3', window: 600 });
    expect(q.series[0]!.count.every((c) => c === 1)).toBe(true);
  });
});

describe('GoldenSignals Prometheus output', () => {
  it('parses with a Prometheus parser and agrees with the JSON', () => {
    const { g, advance } = setup();
    for (let i = 0; i < 40; i++) g.record(serverSpan({ duration: i < 30 ? 3 : 300, statusCode: i < 4 ? 503 : 200 }));
    g.record(serverSpan({ route: '/we"ird\\route' }));
    g.record(clientSpan({ 'db.system.name': 'sqlite', 'db.namespace': 'inv.db' }));
    advance(1000);
    const text = g.prometheus();
    // The whole exposition parses; note this parser merges labelled histogram series into one,
    // so histogram lines are checked exactly below and the parser is used for types and counters.
    const families = parsePrometheusTextFormat(text);
    const byName = new Map(families.map((f) => [f.name, f]));
    expect(byName.get('debugpanel_http_server_request_duration_seconds')!.type).toBe('HISTOGRAM');
    const values = new Map(text.split('\n').filter((x) => x && !x.startsWith('#')).map((x) => {
      const i = x.lastIndexOf(' ');
      return [x.slice(0, i), Number(x.slice(i + 1))] as const;
    }));
    const h = 'debugpanel_http_server_request_duration_seconds';
    const l = 'service="orders",http_request_method="GET",http_route="/orders/:id"';
    expect(values.get(`${h}_count{${l}}`)).toBe(40);
    expect(values.get(`${h}_bucket{${l},le="0.005"}`)).toBe(30);
    expect(values.get(`${h}_bucket{${l},le="0.25"}`)).toBe(30);
    expect(values.get(`${h}_bucket{${l},le="0.5"}`)).toBe(40);
    expect(values.get(`${h}_bucket{${l},le="+Inf"}`)).toBe(40);
    expect(values.get(`${h}_sum{${l}}`)).toBeCloseTo((30 * 3 + 10 * 300) / 1000);
    expect(text).toContain('http_route="/we\\"ird\\\\route"');
    const errors = byName.get('debugpanel_http_server_errors_total')!;
    expect(errors.type).toBe('COUNTER');
    const e = errors.metrics.find((m) => m.labels?.http_route === '/orders/:id') as { value: string };
    const weird = errors.metrics.find((m) => m.labels?.http_route === '/we"ird\\route');
    expect(weird).toBeDefined();
    const json = g.table('server', 10).find((r) => r.labels.route === '/orders/:id')!;
    expect(Number(e.value)).toBe(json.errors);
    expect(json.count).toBe(40);
    expect([...values.keys()].filter((k) => k.startsWith('debugpanel_client_request_duration_seconds_count{'))).toHaveLength(1);
  });
});

describe('GoldenSignals process sampling', () => {
  it('samples saturation signals each period when started', () => {
    // The period timer is faked and the clock injected: the test drives two periods without waiting.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = T0;
    const g = new GoldenSignals({ fineResolution: 1, now: () => now });
    g.start();
    try {
      for (let i = 0; i < 2; i++) {
        now += 1000;
        vi.advanceTimersByTime(1000); // the timer's tick closes the period and samples the process
      }
      const p = g.query({ window: 5 }).process!;
      expect(p.heapUsed.some((v) => v > 0)).toBe(true);
      expect(p.rss.some((v) => v > 0)).toBe(true);
      expect(p.eventLoopUtilization.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(g.prometheus()).toMatch(/debugpanel_process_resident_memory_bytes \d+/);
    } finally {
      g.stop();
      vi.useRealTimers();
    }
  });
});

describe('GoldenSignals.queryAll', () => {
  it('answers every route, every service and every dependency in one response', () => {
    const { g, advance } = setup();
    g.record(serverSpan({ route: '/a' }));
    g.record(serverSpan({ route: '/b', statusCode: 500 }));
    g.record(clientSpan({ 'db.system': 'sqlite', 'db.namespace': 'shop.db' }));
    advance(1000);
    const all = g.queryAll(10);
    expect(all.resolution).toBe(1);
    expect(all.times).toHaveLength(10);
    const names = all.series.map((s) => `${s.labels.kind} ${s.labels.route ?? s.labels.dependency}`).sort();
    expect(names).toEqual(['client sqlite shop.db', 'server *', 'server /a', 'server /b']);
    const b = all.series.find((s) => s.labels.route === '/b')!;
    expect(b.count.at(-1)).toBe(1);
    expect(b.errors.at(-1)).toBe(1);
    expect(g.queryAll(3600).resolution).toBe(10);
  });
});

describe('GoldenSignals table over a window', () => {
  it('gives the window its own max and percentiles, not the lifetime ones, and counts the periods not yet folded into the lifetime', () => {
    const { g, advance } = setup();
    // second 1: one slow request; then 20 seconds of fast ones
    g.record(serverSpan({ duration: 900 }));
    advance(1000);
    for (let s = 0; s < 20; s++) {
      for (let i = 0; i < 10; i++) g.record(serverSpan({ duration: 10 + i }));
      advance(1000);
    }
    const wide = g.table('server', 60)[0]!;
    expect(wide.count).toBe(201);
    expect(wide.max).toBeCloseTo(900, -1);
    expect(wide.p50).toBeGreaterThan(9);
    expect(wide.p50).toBeLessThan(20);
    // the last 10 seconds hold no slow request: their max is a fast one
    const recent = g.table('server', 10)[0]!;
    expect(recent.count).toBe(100);
    expect(recent.max).toBeLessThan(20);
    expect(recent.p99).toBeLessThan(20);
    // a picked range: the first two seconds hold the slow request and one second of fast ones
    const picked = g.table('server', 2, T0 + 2000)[0]!;
    expect(picked.count).toBe(11);
    expect(picked.max).toBeCloseTo(900, -1);
    expect(picked.rate).toBeCloseTo(11 / 2);
    // a range in the future ends at the last closed second
    expect(g.table('server', 5, T0 + 3600_000)[0]!.count).toBe(0);
  });

  it('shows a new route at once (the lifetime histogram only has closed 10 s periods)', () => {
    const { g, advance } = setup();
    for (let i = 0; i < 5; i++) g.record(serverSpan({ duration: 150 }));
    advance(1000);
    const row = g.table('server', 300)[0]!;
    expect(row.count).toBe(5);
    expect(row.p50).toBeCloseTo(150, -1);
    expect(row.max).toBeCloseTo(150, -1);
  });
});

describe('windowPercentiles', () => {
  it('takes the exact max and the count-weighted quantile of the periods', () => {
    const slot = (count: number, v: number, max = v) => ({ count, p50: v, p95: v, p99: v, max });
    expect(windowPercentiles([])).toEqual({ p50: 0, p95: 0, p99: 0, max: 0 });
    expect(windowPercentiles([slot(10, 5, 7)])).toEqual({ p50: 5, p95: 5, p99: 5, max: 7 });
    // never above the exact max
    expect(windowPercentiles([slot(10, 154.6, 153.9)])).toEqual({ p50: 153.9, p95: 153.9, p99: 153.9, max: 153.9 });
    // 97 fast periods' worth of requests and 3% slow ones: p50 fast, p99 slow, max the slowest
    const mixed = windowPercentiles([slot(97, 10, 12), slot(2, 400, 450), slot(1, 800, 900)]);
    expect(mixed).toEqual({ p50: 10, p95: 10, p99: 400, max: 900 });
  });
});
