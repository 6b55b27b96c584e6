import type { SpanRecord } from '@debugpanel/model';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TailPolicies } from './options.js';
import { TailSampler, type TailSamplerOptions } from './tail-sampler.js';
import { isTraceIdSampled } from './trace-id-ratio.js';

/** Seeded ids, so every run (and every failure) sees the same traces. */
function idMaker(seed: number): () => string {
  let x = seed;
  const hex = (): string => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0).toString(16).padStart(8, '0'));
  return () => hex() + hex() + hex() + hex();
}
let spanSeq = 1;
const sid = (): string => (spanSeq++).toString(16).padStart(16, '0');

function span(traceId: string, over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId, spanId: sid(), parentSpanId: 'ab'.repeat(8), name: 'work', kind: 'internal', service: 'api',
    startTime: 1000, duration: 5, status: { code: 'unset' }, attributes: {}, events: [], ...over,
  };
}
function root(traceId: string, over: Partial<SpanRecord> = {}): SpanRecord {
  const { parentSpanId: _, ...base } = span(traceId, {
    kind: 'server', name: 'GET /orders/:id', duration: 50,
    attributes: { 'http.route': '/orders/:id', 'http.response.status_code': 200 }, ...over,
  });
  return base;
}

/** A sampler on a fake clock with its decisions recorded. */
function harness(options: Partial<TailSamplerOptions> = {}) {
  const clock = { now: 0 };
  const kept: Array<{ spans: SpanRecord[]; reason: string }> = [];
  const dropped: Array<{ traceId: string; reason: string }> = [];
  const sampler = new TailSampler({
    onKeep: (spans, reason) => kept.push({ spans, reason }),
    onDrop: (traceId, reason) => dropped.push({ traceId, reason }),
    now: () => clock.now,
    tickIntervalMs: 0,
    ...options,
  });
  const reasonOf = (traceId: string): string | undefined =>
    kept.find((k) => k.spans[0]!.traceId === traceId)?.reason ?? dropped.find((d) => d.traceId === traceId)?.reason;
  const at = (ms: number): void => {
    clock.now = ms;
    sampler.tick(ms);
  };
  return { clock, kept, dropped, sampler, reasonOf, at };
}

const samplers: TailSampler[] = [];
afterEach(() => {
  for (const s of samplers.splice(0)) s.close();
});

describe('TailSampler options', () => {
  it('refuses bad options at creation (the cases are in tail-options.test.ts)', () => {
    expect(() => new TailSampler({ onKeep: () => {}, graceMS: 5 } as never)).toThrow(/unknown option "graceMS"; did you mean "graceMs"\?/);
  });

  it('keeps everything outside production and applies the production policies in production', () => {
    const dev = new TailSampler({ onKeep: () => {}, production: false });
    const prod = new TailSampler({ onKeep: () => {}, production: true, tickIntervalMs: 0 });
    samplers.push(dev, prod);
    expect(dev.mode).toBe('all');
    expect(prod.mode).toBe('policies');
    expect(prod.describe()).toMatchObject({
      policies: { error: true, latency: { thresholdMs: 1000, aboveRouteP99: true }, probabilistic: 0.01, rate: { perRoute: 5 } },
      graceMs: 2000, maxAgeMs: 30000, maxPendingTraces: 2000,
    });
  });
});

describe('TailSampler keepAll mode', () => {
  it('passes every span on at once with reason all, buffering nothing', () => {
    const h = harness({ keepAll: true });
    const id = idMaker(1)();
    h.sampler.add(span(id));
    h.sampler.add(root(id));
    expect(h.kept.map((k) => [k.spans.length, k.reason])).toEqual([[1, 'all'], [1, 'all']]);
    expect(h.sampler.stats()).toMatchObject({ mode: 'all', seenSpans: 2, keptSpans: 2, keptTraces: 1, kept: { all: 1 }, pending: 0 });
  });
});

describe('TailSampler decisions over 10,000 generated traces', () => {
  it('keeps every error and every slow trace, and the probabilistic 1% of the rest', () => {
    const policies: TailPolicies = { error: true, latency: { thresholdMs: 1000 }, probabilistic: 0.01 };
    const h = harness({ policies });
    const next = idMaker(42);
    const expected = new Map<string, string>();
    let t = 0;
    for (let i = 0; i < 10_000; i++) {
      const id = next();
      const error = i % 37 === 0;
      const slow = i % 53 === 0;
      h.sampler.add(span(id, { status: { code: error ? 'error' : 'unset' } }));
      h.sampler.add(span(id));
      h.sampler.add(root(id, { duration: slow ? 1500 : 20 }));
      expected.set(id, error ? 'error' : slow ? 'slow' : isTraceIdSampled(id, 0.01) ? 'sampled' : 'unsampled');
      if (i % 100 === 0) h.at((t += 50));
    }
    h.at(t + 2001);
    for (const [id, reason] of expected) expect(h.reasonOf(id)).toBe(reason);
    const rest = [...expected.values()].filter((r) => r === 'sampled' || r === 'unsampled');
    const sampledShare = rest.filter((r) => r === 'sampled').length / rest.length;
    expect(sampledShare).toBeGreaterThan(0.006);
    expect(sampledShare).toBeLessThan(0.014);
    const stats = h.sampler.stats();
    expect(stats.seenTraces).toBe(10_000);
    expect(stats.keptTraces + stats.droppedTraces).toBe(10_000);
    expect(stats.kept.error).toBe([...expected.values()].filter((r) => r === 'error').length);
    expect(stats.kept.slow).toBe([...expected.values()].filter((r) => r === 'slow').length);
    expect(stats.dropped.unsampled).toBe(rest.length - rest.filter((r) => r === 'sampled').length);
    expect(stats.keptSpans).toBe(3 * stats.keptTraces);
    expect(stats.pending).toBe(0);
  });

  it('gives the same probabilistic decision for the same trace id in every instance', () => {
    const ids = Array.from({ length: 3000 }, idMaker(7));
    const run = (): Array<string | undefined> => {
      const h = harness({ policies: { probabilistic: 0.1 } });
      for (const id of ids) h.sampler.add(root(id));
      h.at(5000);
      return ids.map(h.reasonOf);
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a.filter((r) => r === 'sampled').length).toBeGreaterThan(200);
  });
});

describe('TailSampler timing', () => {
  it('takes a span that ends 1 s after its root into the kept trace, and later spans follow the decision', () => {
    const h = harness({ policies: { error: true } });
    const id = idMaker(3)();
    const r = root(id);
    h.sampler.add(span(id, { status: { code: 'error' } }));
    h.sampler.add(r);
    h.at(1000);
    const late = span(id, { parentSpanId: r.spanId, name: 'late child' });
    h.sampler.add(late);
    h.at(1999);
    expect(h.kept).toHaveLength(0); // still within the 2 s grace
    h.at(2000);
    expect(h.kept).toHaveLength(1);
    expect(h.kept[0]!.reason).toBe('error');
    expect(h.kept[0]!.spans).toHaveLength(3);
    expect(h.kept[0]!.spans).toContain(late);
    const afterDecision = span(id, { name: 'after' });
    h.sampler.add(afterDecision);
    expect(h.kept[1]).toEqual({ spans: [afterDecision], reason: 'error' });
    expect(h.sampler.stats()).toMatchObject({ lateSpansKept: 1, keptSpans: 4, pending: 0 });
  });

  it('drops late spans of a dropped trace and counts them', () => {
    const h = harness({ policies: { error: true } });
    const id = idMaker(4)();
    h.sampler.add(root(id));
    h.at(2000);
    expect(h.dropped).toEqual([{ traceId: id, reason: 'unsampled' }]);
    h.sampler.add(span(id));
    expect(h.kept).toHaveLength(0);
    expect(h.sampler.stats()).toMatchObject({ lateSpansDropped: 1, droppedSpans: 2 });
  });

  it('moves the decision to grace after the last local root (a hub seeing several services)', () => {
    const h = harness({ policies: { probabilistic: 1 } });
    const id = idMaker(5)();
    h.sampler.add(span(id, { kind: 'server', service: 'orders' })); // remote parent: a local root
    h.at(1500);
    h.sampler.add(root(id, { service: 'gateway' }));
    h.at(2500);
    expect(h.kept).toHaveLength(0);
    h.at(3500);
    expect(h.kept[0]!.spans.map((s) => s.service)).toEqual(['orders', 'gateway']);
  });

  it('decides a trace without a local root at maxAge', () => {
    const h = harness({ policies: { probabilistic: 1 }, maxAgeMs: 30_000 });
    const id = idMaker(6)();
    h.sampler.add(span(id));
    h.at(29_999);
    expect(h.kept).toHaveLength(0);
    h.at(30_000);
    expect(h.kept[0]!.reason).toBe('sampled');
    expect(h.sampler.stats().decidedOnMaxAge).toBe(1);
  });

  it('decides a trace at once when it reaches maxSpansPerTrace', () => {
    const h = harness({ policies: { probabilistic: 1 }, maxSpansPerTrace: 3 });
    const id = idMaker(8)();
    for (let i = 0; i < 4; i++) h.sampler.add(span(id));
    expect(h.kept.map((k) => k.spans.length)).toEqual([3, 1]);
    expect(h.sampler.stats()).toMatchObject({ decidedOnSpanLimit: 1, lateSpansKept: 1 });
  });

  it('runs its own unref-ed timer when none is injected', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const kept: string[] = [];
      const s = new TailSampler({ onKeep: (_s, r) => kept.push(r), policies: { probabilistic: 1 }, graceMs: 0, tickIntervalMs: 5 });
      samplers.push(s);
      s.add(root(idMaker(9)()));
      expect(kept).toEqual([]);
      vi.advanceTimersByTime(5);
      expect(kept).toEqual(['sampled']);
      expect(vi.getTimerCount()).toBe(1);
      s.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('TailSampler bounds', () => {
  it('holds 5,000 concurrent traces at the pending bound, deciding the oldest early and counting them', () => {
    const h = harness({ policies: { probabilistic: 1 }, maxPendingTraces: 2000 });
    const next = idMaker(10);
    const ids = Array.from({ length: 5000 }, next);
    for (const id of ids) {
      h.sampler.add(span(id));
      expect(h.sampler.stats().pending).toBeLessThanOrEqual(2000);
    }
    const stats = h.sampler.stats();
    expect(stats).toMatchObject({ pending: 2000, pendingSpans: 2000, evictedEarly: 3000, keptTraces: 3000 });
    // The oldest went first.
    expect(h.kept.slice(0, 3).map((k) => k.spans[0]!.traceId)).toEqual(ids.slice(0, 3));
    // Their late spans follow the early decision.
    h.sampler.add(span(ids[0]!));
    expect(h.sampler.stats().lateSpansKept).toBe(1);
  });

  it('forgets the oldest decisions past decisionCacheSize; a later span then starts afresh', () => {
    const h = harness({ policies: { error: true }, decisionCacheSize: 2 });
    const ids = Array.from({ length: 3 }, idMaker(11));
    for (const id of ids) h.sampler.add(root(id));
    h.at(2000);
    expect(h.sampler.stats().decisionCacheEvicted).toBe(1);
    h.sampler.add(span(ids[0]!));
    expect(h.sampler.stats()).toMatchObject({ pending: 1, lateSpansDropped: 0 });
    h.sampler.add(span(ids[2]!));
    expect(h.sampler.stats().lateSpansDropped).toBe(1);
  });

  it('keeps the ready queue bounded when nothing calls tick', () => {
    const h = harness({ policies: { probabilistic: 1 }, maxPendingTraces: 10 });
    const next = idMaker(12);
    for (let i = 0; i < 20_000; i++) h.sampler.add(root(next()));
    expect(h.sampler.stats().pending).toBe(10);
    h.at(2000);
    expect(h.sampler.stats()).toMatchObject({ pending: 0, keptTraces: 20_000 });
  });

  it('decides a trace with more local roots than its queues hold once, grace after the last', () => {
    const h = harness({ policies: { probabilistic: 1 }, maxPendingTraces: 10, maxSpansPerTrace: 10_000 });
    const id = idMaker(20)();
    // 5,000 server spans of one trace (a hub): each pushes the deadline; the queue (2 x 10 + 1024) compacts.
    for (let i = 0; i < 5000; i++) {
      h.clock.now = i;
      h.sampler.add(span(id, { kind: 'server', service: `s${i % 7}` }));
    }
    h.at(4999 + 1999);
    expect(h.kept).toHaveLength(0);
    h.at(4999 + 2000);
    expect(h.kept.map((k) => [k.spans.length, k.reason])).toEqual([[5000, 'sampled']]);
    expect(h.sampler.stats()).toMatchObject({ keptTraces: 1, pending: 0, decidedOnMaxAge: 0 });
  });

  it('keeps the oldest undecided trace first while many newer ones are decided behind it', () => {
    const h = harness({ policies: { probabilistic: 1 }, maxPendingTraces: 10, maxSpansPerTrace: 2 });
    const next = idMaker(21);
    const waiting = next();
    h.sampler.add(span(waiting)); // no root: waits for maxAge, at the front of the order
    for (let i = 0; i < 20_000; i++) {
      const id = next();
      h.sampler.add(span(id));
      h.sampler.add(span(id)); // decided at once at the span limit
    }
    expect(h.sampler.stats()).toMatchObject({ pending: 1, decidedOnSpanLimit: 20_000, evictedEarly: 0 });
    h.at(30_000);
    expect(h.reasonOf(waiting)).toBe('sampled');
    expect(h.sampler.stats()).toMatchObject({ pending: 0, decidedOnMaxAge: 1 });
  });

  it('survives onKeep and onDrop that throw, counting the errors', () => {
    const s = new TailSampler({
      onKeep: () => { throw new Error('keep'); },
      onDrop: () => { throw new Error('drop'); },
      policies: { error: true }, tickIntervalMs: 0, now: () => 0,
    });
    const next = idMaker(13);
    s.add(root(next(), { status: { code: 'error' } }));
    s.add(root(next()));
    expect(() => s.tick(5000)).not.toThrow();
    expect(s.stats()).toMatchObject({ callbackErrors: 2, keptTraces: 1, droppedTraces: 1 });
  });
});

describe('TailSampler bad input', () => {
  it('drops and counts values that are not spans, without throwing', () => {
    const h = harness({ policies: { error: true } });
    expect(() => h.sampler.add(null as never)).not.toThrow();
    expect(() => h.sampler.add({ traceId: 'x' } as never)).not.toThrow();
    expect(h.sampler.stats().invalidSpans).toBe(2);
  });
});

describe('TailSampler policies', () => {
  const next = idMaker(14);
  function decideOne(policies: TailPolicies, spans: (id: string) => SpanRecord[]): string | undefined {
    const h = harness({ policies });
    const id = next();
    for (const s of spans(id)) h.sampler.add(s);
    h.at(5000);
    return h.reasonOf(id);
  }

  it('evaluates drop first, then error, latency, attributes, probabilistic, rate', () => {
    const all: TailPolicies = {
      drop: { routes: ['/health'] }, error: true, latency: { thresholdMs: 100 },
      attributes: [{ key: 'user.id', equals: 7 }], probabilistic: 1, rate: { perRoute: 100 },
    };
    const health = (id: string) => [root(id, { status: { code: 'error' }, attributes: { 'http.route': '/health' } })];
    expect(decideOne(all, health)).toBe('drop');
    expect(decideOne(all, (id) => [root(id, { status: { code: 'error' }, duration: 500 })])).toBe('error');
    expect(decideOne(all, (id) => [root(id, { duration: 500, attributes: { 'user.id': 7 } })])).toBe('slow');
    expect(decideOne(all, (id) => [span(id, { attributes: { 'user.id': 7 } }), root(id)])).toBe('attribute:user.id');
    expect(decideOne(all, (id) => [root(id)])).toBe('sampled');
    expect(decideOne({ ...all, probabilistic: 0 }, (id) => [root(id)])).toBe('rate');
    expect(decideOne({ error: true }, (id) => [root(id)])).toBe('unsampled');
  });

  it('keeps traces with an error span by the OTel HTTP rules: a client 4xx or 5xx, a server 5xx, not a server 4xx', () => {
    const client = (code: number) => (id: string) => [span(id, { kind: 'client', attributes: { 'http.response.status_code': code } }), root(id)];
    const server = (code: number) => (id: string) => [root(id, { attributes: { 'http.route': '/orders/:id', 'http.response.status_code': code } })];
    expect(decideOne({ error: true }, client(503))).toBe('error');
    expect(decideOne({ error: true }, client(404))).toBe('error');
    expect(decideOne({ error: true }, server(502))).toBe('error');
    expect(decideOne({ error: true }, server(409))).toBe('unsampled');
    // An HTTP code on an internal span is not an HTTP answer.
    expect(decideOne({ error: true }, (id) => [span(id, { attributes: { 'http.response.status_code': 500 } }), root(id)])).toBe('unsampled');
  });

  it('drops by route RegExp, by url.path when no route, and by name', () => {
    const p: TailPolicies = { drop: { routes: [/^\/_?health/], names: ['GET /metrics'] }, probabilistic: 1 };
    expect(decideOne(p, (id) => [root(id, { attributes: { 'url.path': '/healthz' } })])).toBe('drop');
    expect(decideOne(p, (id) => [root(id, { name: 'GET /metrics', attributes: {} })])).toBe('drop');
    expect(decideOne(p, (id) => [root(id)])).toBe('sampled');
  });

  it('matches attributes by equality as string, by RegExp, or by presence', () => {
    expect(decideOne({ attributes: [{ key: 'user.id', equals: '7' }] }, (id) => [root(id, { attributes: { 'user.id': 7 } })])).toBe('attribute:user.id');
    expect(decideOne({ attributes: [{ key: 'user.id', equals: 8 }] }, (id) => [root(id, { attributes: { 'user.id': 7 } })])).toBe('unsampled');
    expect(decideOne({ attributes: [{ key: 'tenant', matches: /^beta-/ }] }, (id) => [root(id, { attributes: { tenant: 'beta-3' } })])).toBe('attribute:tenant');
    expect(decideOne({ attributes: [{ key: 'debug' }] }, (id) => [root(id, { attributes: { debug: false } })])).toBe('attribute:debug');
  });

  it('keeps traces above their route running p99 once the route has enough samples', () => {
    const h = harness({ policies: { latency: { aboveRouteP99: true, minSamples: 100 } } });
    const ids = idMaker(15);
    const durations = [...Array.from({ length: 300 }, (_, i) => 10 + (i % 20)), 500, 15];
    const seen: Array<[number, string | undefined]> = [];
    for (const d of durations) {
      const id = ids();
      h.sampler.add(root(id, { duration: d }));
      h.at(h.clock.now + 2001);
      seen.push([d, h.reasonOf(id)]);
    }
    expect(seen.at(-2)).toEqual([500, 'slow']);
    expect(seen.at(-1)).toEqual([15, 'unsampled']);
    // Before minSamples the p99 is not trusted.
    expect(seen.slice(0, 100).every(([, r]) => r === 'unsampled')).toBe(true);
  });

  it('limits the rate per route and globally with token buckets', () => {
    const h = harness({ policies: { rate: { perRoute: 2, global: 3 } } });
    const ids = idMaker(16);
    const routeA = (id: string) => root(id, { attributes: { 'http.route': '/a' } });
    const routeB = (id: string) => root(id, { attributes: { 'http.route': '/b' } });
    for (let i = 0; i < 4; i++) h.sampler.add(routeA(ids()));
    for (let i = 0; i < 4; i++) h.sampler.add(routeB(ids()));
    h.at(2000); // buckets start full: /a gets 2, then the global bucket's last token goes to /b
    expect(h.sampler.stats().kept).toEqual({ rate: 3 });
    for (let i = 0; i < 4; i++) h.sampler.add(routeB(ids()));
    h.at(4000); // decided 2 s later: refilled to the bursts, 3 global tokens and 2 for /b
    expect(h.sampler.stats().kept).toEqual({ rate: 5 });
  });

  it('shares one rate bucket among routes past maxRoutes, and counts them', () => {
    const h = harness({ policies: { rate: { perRoute: 1 } }, maxRoutes: 2 });
    const ids = idMaker(17);
    for (const r of ['/a', '/b', '/c', '/d']) h.sampler.add(root(ids(), { attributes: { 'http.route': r } }));
    h.at(2000);
    expect(h.sampler.stats()).toMatchObject({ kept: { rate: 3 }, dropped: { unsampled: 1 }, routesOverflowed: 2 });
  });
});

describe('TailSampler flush and close', () => {
  it('flush decides everything pending; close stops taking spans', () => {
    const h = harness({ policies: { probabilistic: 1 } });
    const ids = idMaker(18);
    h.sampler.add(span(ids()));
    h.sampler.add(root(ids()));
    h.sampler.flush();
    expect(h.kept).toHaveLength(2);
    h.sampler.add(span(ids()));
    h.sampler.close();
    expect(h.kept).toHaveLength(3);
    h.sampler.add(span(ids()));
    expect(h.sampler.stats()).toMatchObject({ droppedAfterClose: 1, pending: 0 });
  });
});
