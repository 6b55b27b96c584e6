import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import type { TailPolicies } from './options.js';
import { POLICY_ORDER, PolicyEvaluator, type TraceToDecide } from './policy.js';
import { isTraceIdSampled } from './trace-id-ratio.js';

let seq = 0;
const traceId = (): string => (++seq).toString(16).padStart(32, 'a');

function span(over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: 'a'.repeat(32), spanId: (++seq).toString(16).padStart(16, '0'), parentSpanId: 'ab'.repeat(8), name: 'work',
    kind: 'internal', service: 'api', startTime: 1000, duration: 5, status: { code: 'unset' }, attributes: {}, events: [], ...over,
  };
}
function rootSpan(over: Partial<SpanRecord> = {}): SpanRecord {
  const { parentSpanId: _, ...s } = span({
    kind: 'server', name: 'GET /orders/:id', duration: 50, attributes: { 'http.route': '/orders/:id' }, ...over,
  });
  return s;
}
/** A trace with a root and the given other spans. */
function trace(root: SpanRecord | undefined, others: SpanRecord[] = [], hasError = false): TraceToDecide {
  return { traceId: traceId(), spans: root ? [...others, root] : others, root, hasError };
}

describe('PolicyEvaluator order', () => {
  const all: TailPolicies = {
    drop: { routes: ['/health'] }, error: true, latency: { thresholdMs: 100 },
    attributes: [{ key: 'user.id', equals: 7 }], probabilistic: 1, rate: { perRoute: 100 },
  };
  it.each<[string, TailPolicies, TraceToDecide, boolean, string]>([
    ['drop wins over error', all, trace(rootSpan({ attributes: { 'http.route': '/health' } }), [], true), false, 'drop'],
    ['error wins over latency', all, trace(rootSpan({ duration: 500 }), [], true), true, 'error'],
    ['latency wins over attributes', all, trace(rootSpan({ duration: 500, attributes: { 'user.id': 7 } })), true, 'slow'],
    ['attributes win over probabilistic', all, trace(rootSpan(), [span({ attributes: { 'user.id': 7 } })]), true, 'attribute:user.id'],
    ['probabilistic wins over rate', all, trace(rootSpan()), true, 'sampled'],
    ['rate when nothing else keeps it', { ...all, probabilistic: 0 }, trace(rootSpan()), true, 'rate'],
    ['unsampled when no policy keeps it', { error: true }, trace(rootSpan()), false, 'unsampled'],
    ['error only when a policy asks for it', { probabilistic: 0 }, trace(rootSpan(), [], true), false, 'unsampled'],
  ])('%s', (_name, policies, t, keep, reason) => {
    expect(new PolicyEvaluator(policies, 1000).evaluate(t, 0)).toEqual({ keep, reason });
  });

  it('lists the order it evaluates in', () => {
    expect(POLICY_ORDER).toEqual(['drop', 'error', 'latency', 'attributes', 'probabilistic', 'rate']);
  });

  it('returns one frozen decision per reason', () => {
    const e = new PolicyEvaluator({ error: true }, 10);
    const a = e.evaluate(trace(rootSpan()), 0);
    expect(e.evaluate(trace(rootSpan()), 0)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('PolicyEvaluator drop', () => {
  const e = new PolicyEvaluator({ drop: { routes: [/^\/_?health/], names: ['GET /metrics'] }, probabilistic: 1 }, 10);
  it.each<[string, SpanRecord, string]>([
    ['by route RegExp', rootSpan({ attributes: { 'http.route': '/_health' } }), 'drop'],
    ['by url.path when there is no route', rootSpan({ attributes: { 'url.path': '/healthz' } }), 'drop'],
    ['not by url.path when a route is there', rootSpan({ attributes: { 'http.route': '/x', 'url.path': '/healthz' } }), 'sampled'],
    ['by name', rootSpan({ name: 'GET /metrics', attributes: {} }), 'drop'],
    ['not otherwise', rootSpan(), 'sampled'],
  ])('%s', (_name, root, reason) => {
    expect(e.evaluate(trace(root), 0).reason).toBe(reason);
  });

  it('matches the earliest span when no root arrived', () => {
    const early = span({ startTime: 10, attributes: { 'http.route': '/health' } });
    expect(e.evaluate(trace(undefined, [span({ startTime: 20 }), early]), 0).reason).toBe('drop');
  });
});

describe('PolicyEvaluator latency', () => {
  it('uses the root duration, else the extent of the spans', () => {
    const e = new PolicyEvaluator({ latency: { thresholdMs: 100 } }, 10);
    expect(e.evaluate(trace(rootSpan({ duration: 100 })), 0).reason).toBe('slow');
    expect(e.evaluate(trace(rootSpan({ duration: 99.9 })), 0).reason).toBe('unsampled');
    const spread = [span({ startTime: 0, duration: 10 }), span({ startTime: 90, duration: 20 })];
    expect(e.evaluate(trace(undefined, spread), 0).reason).toBe('slow'); // 0 .. 110 ms
  });

  it('keeps traces above their route p99 once the route has minSamples, per route', () => {
    const e = new PolicyEvaluator({ latency: { aboveRouteP99: true, minSamples: 100 } }, 10);
    const at = (route: string, duration: number): string =>
      e.evaluate(trace(rootSpan({ duration, attributes: { 'http.route': route } })), 0).reason;
    // Before minSamples the p99 is not trusted.
    expect(at('/a', 500)).toBe('unsampled');
    for (let i = 0; i < 300; i++) at('/a', 10 + (i % 20));
    expect(at('/a', 500)).toBe('slow');
    expect(at('/a', 15)).toBe('unsampled');
    expect(at('/b', 500)).toBe('unsampled'); // a route of its own
  });
});

describe('PolicyEvaluator attributes', () => {
  it.each<[string, TailPolicies['attributes'], SpanRecord['attributes'], string]>([
    ['equals, also as a string', [{ key: 'user.id', equals: '7' }], { 'user.id': 7 }, 'attribute:user.id'],
    ['equals another value', [{ key: 'user.id', equals: 8 }], { 'user.id': 7 }, 'unsampled'],
    ['matches a RegExp', [{ key: 'tenant', matches: /^beta-/ }], { tenant: 'beta-3' }, 'attribute:tenant'],
    ['present, even false', [{ key: 'debug' }], { debug: false }, 'attribute:debug'],
    ['absent', [{ key: 'debug' }], {}, 'unsampled'],
    ['the first policy that holds names the key', [{ key: 'a' }, { key: 'b' }], { b: 1, a: 1 }, 'attribute:a'],
  ])('%s', (_name, attributes, attrs, reason) => {
    const e = new PolicyEvaluator({ attributes }, 10);
    expect(e.evaluate(trace(rootSpan(), [span({ attributes: attrs })]), 0).reason).toBe(reason);
  });
});

describe('PolicyEvaluator probabilistic', () => {
  it('keeps the trace ids traceIdRatio keeps, the same in every instance', () => {
    const ids = Array.from({ length: 2000 }, traceId);
    const run = (): string[] => {
      const e = new PolicyEvaluator({ probabilistic: 0.1 }, 10);
      return ids.map((id) => e.evaluate({ traceId: id, spans: [rootSpan()], root: undefined, hasError: false }, 0).reason);
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a).toEqual(ids.map((id) => (isTraceIdSampled(id, 0.1) ? 'sampled' : 'unsampled')));
  });
});

describe('PolicyEvaluator rate', () => {
  const on = (route: string): TraceToDecide => trace(rootSpan({ attributes: { 'http.route': route } }));

  it('limits per route and globally with token buckets that refill with time', () => {
    const e = new PolicyEvaluator({ rate: { perRoute: 2, global: 3 } }, 10);
    const kept = (t: TraceToDecide, now: number): boolean => e.evaluate(t, now).keep;
    // Buckets start full: /a gets 2, then the global bucket's last token goes to /b.
    expect([1, 2, 3].map(() => kept(on('/a'), 0))).toEqual([true, true, false]);
    expect([1, 2].map(() => kept(on('/b'), 0))).toEqual([true, false]);
    // 2 s later: refilled to the bursts, 3 global tokens and 2 for /b.
    expect([1, 2, 3].map(() => kept(on('/b'), 2000))).toEqual([true, true, false]);
    expect(kept(on('/a'), 2000)).toBe(true);
    expect(kept(on('/a'), 2000)).toBe(false); // the global bucket is empty
  });

  it('takes a global token only when the route has one too', () => {
    const e = new PolicyEvaluator({ rate: { perRoute: 1, global: 2 } }, 10);
    expect(e.evaluate(on('/a'), 0).keep).toBe(true);
    expect(e.evaluate(on('/a'), 0).keep).toBe(false); // /a is empty: the global token stays
    expect(e.evaluate(on('/b'), 0).keep).toBe(true);
  });

  it('names the route by the root name without http.route', () => {
    const e = new PolicyEvaluator({ rate: { perRoute: 1 } }, 10);
    const named = (name: string): TraceToDecide => trace(rootSpan({ name, attributes: {} }));
    expect([named('GET /x'), named('GET /x'), named('GET /y')].map((t) => e.evaluate(t, 0).keep)).toEqual([true, false, true]);
  });

  it('shares one bucket among routes past maxRoutes, and counts each lookup past it', () => {
    const e = new PolicyEvaluator({ rate: { perRoute: 1 } }, 2);
    const kept = ['/a', '/b', '/c', '/d'].map((r) => e.evaluate(on(r), 0).keep);
    expect(kept).toEqual([true, true, true, false]);
    expect(e.routesOverflowed).toBe(2);
  });
});
