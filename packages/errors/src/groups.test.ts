import { describe, expect, it } from 'vitest';
import { fingerprint, type ExceptionInfo } from './fingerprint.js';
import { ErrorGroups, MINUTE_MS } from './groups.js';

const T0 = 1_700_000_040_000; // a minute boundary: 28,333,334 * 60,000
const at = (fn: string, file = 'src/orders.ts') => `    at ${fn} (/srv/app/${file}:1:1)`;
const exc = (message: string, fn = 'price', type = 'TypeError'): ExceptionInfo => ({ type, message, stack: `${type}: ${message}\n${at(fn)}\n${at('handler', 'src/routes.ts')}` });
const trace = (n: number) => n.toString(16).padStart(32, '0');

function clock(start = T0) {
  let now = start;
  return { now: () => now, set: (t: number) => void (now = t) };
}

describe('ErrorGroups', () => {
  it('counts, first and last seen, the sets it hit, sample traces and occurrences', () => {
    const c = clock();
    const g = new ErrorGroups({ now: c.now, startedAt: T0, root: '/srv/app' });
    for (let i = 0; i < 30; i++) {
      g.record(exc(`order ${i} has no price`), {
        source: 'span', service: i % 2 ? 'orders' : 'gateway', time: T0 + i * 1000, traceId: trace(i + 1), spanId: 'a'.repeat(15) + (i % 10),
        route: i < 15 ? '/orders/:id' : '/checkout', user: `u${i % 3}`, release: '1.2.0',
      });
    }
    c.set(T0 + 30_000);
    const { groups, total, newAfterMs } = g.list();
    expect(total).toBe(1);
    expect(newAfterMs).toBe(300_000);
    const s = groups[0]!;
    expect(s).toMatchObject({
      type: 'TypeError', title: 'order <num> has no price', message: 'order 29 has no price', count: 30,
      firstSeen: T0, lastSeen: T0 + 29_000, isNew: false, culprit: 'src/orders price', droppedValues: 0,
    });
    expect(s.services.sort()).toEqual(['gateway', 'orders']);
    expect(s.routes).toEqual(['/orders/:id', '/checkout']);
    expect(s.users).toEqual(['u0', 'u1', 'u2']);
    expect(s.releases).toEqual(['1.2.0']);
    expect(s.sources).toEqual(['span']);
    expect(s.sampleTraceIds).toHaveLength(20);
    expect(s.sampleTraceIds[0]).toBe(trace(30));
    expect(s.series.at(-1)).toBe(30);
    const detail = g.get(s.fingerprint)!;
    expect(detail.occurrences).toHaveLength(30);
    expect(detail.occurrences[0]).toMatchObject({ time: T0 + 29_000, message: 'order 29 has no price', traceId: trace(30), route: '/checkout' });
    expect(detail.sample[0]!.frames[0]).toMatchObject({ function: 'price', inApp: true });
    expect(g.get('0000000000000000')).toBeUndefined();
  });

  it('bounds occurrences, sets and sample traces, and says how many values it left out', () => {
    const g = new ErrorGroups({ maxOccurrences: 5, maxSetValues: 3, maxSampleTraces: 2 });
    for (let i = 0; i < 10; i++) g.record(exc('boom'), { source: 'log', service: `s${i}`, traceId: trace(i + 1), user: `u${i}` });
    const s = g.list().groups[0]!;
    expect(s.count).toBe(10);
    expect(s.services).toEqual(['s0', 's1', 's2']);
    expect(s.users).toEqual(['u0', 'u1', 'u2']);
    expect(s.droppedValues).toBe(14);
    expect(s.sampleTraceIds).toEqual([trace(10), trace(9)]);
    expect(g.get(s.fingerprint)!.occurrences.map((o) => o.service)).toEqual(['s9', 's8', 's7', 's6', 's5']);
  });

  it('evicts the least recently seen group past maxGroups, and counts it', () => {
    const g = new ErrorGroups({ maxGroups: 3 });
    const fns = ['a', 'b', 'c', 'd'];
    const fp = (fn: string) => fingerprint(exc('x', fn)).fingerprint;
    g.record(exc('x', 'a'), { source: 'log', service: 's', time: 1 });
    g.record(exc('x', 'b'), { source: 'log', service: 's', time: 2 });
    g.record(exc('x', 'c'), { source: 'log', service: 's', time: 3 });
    g.record(exc('x', 'a'), { source: 'log', service: 's', time: 4 }); // a is recent again
    g.record(exc('x', 'd'), { source: 'log', service: 's', time: 5 }); // evicts b
    expect(g.size).toBe(3);
    expect(g.get(fp('b'))).toBeUndefined();
    expect(g.list().groups.map((x) => x.fingerprint)).toEqual([fp('d'), fp('a'), fp('c')]);
    expect(g.stats()).toMatchObject({ groups: 3, maxGroups: 3, evictedGroups: 1, recorded: 5 });
    expect(fns).toHaveLength(4);
  });

  it('counts one exception once per trace when enclosing spans record it again, taking their route', () => {
    const g = new ErrorGroups();
    const e = exc('order 13 has no price');
    g.record(e, { source: 'span', service: 'orders', traceId: trace(1), spanId: '1'.repeat(16) });
    g.record(e, { source: 'span', service: 'orders', traceId: trace(1), spanId: '2'.repeat(16), route: '/products/:id' });
    g.record(exc('order 14 has no price'), { source: 'span', service: 'orders', traceId: trace(1), spanId: '3'.repeat(16) }); // another throw
    const s = g.list().groups[0]!;
    expect(s.count).toBe(2);
    expect(s.routes).toEqual(['/products/:id']);
    expect(g.stats().duplicates).toBe(1);
    expect(g.get(s.fingerprint)!.occurrences.at(-1)).toMatchObject({ spanId: '1'.repeat(16), route: '/products/:id' });
  });

  it('gives earlier exceptions of a trace the route, user and release of its local root', () => {
    const g = new ErrorGroups();
    g.record(exc('boom'), { source: 'span', service: 'orders', traceId: trace(1), spanId: '1'.repeat(16) });
    g.noteRoot(trace(1), 'gateway', { route: '/api/x' }); // another service's root: not ours
    g.noteRoot(trace(1), 'orders', { route: '/products/:id', user: 'ada', release: '2.0.1' });
    g.noteRoot(trace(2), 'orders', { route: '/never' });
    const s = g.list().groups[0]!;
    expect([s.routes, s.users, s.releases]).toEqual([['/products/:id'], ['ada'], ['2.0.1']]);
  });

  it('filters by service, route, user, release, source and since; limit keeps the total', () => {
    const g = new ErrorGroups();
    g.record(exc('a', 'fa'), { source: 'span', service: 'orders', route: '/o', user: 'ada', release: '1', time: 100 });
    g.record(exc('b', 'fb'), { source: 'uncaught', service: 'gateway', route: '/g', user: 'bob', time: 200 });
    const titles = (f: Parameters<ErrorGroups['list']>[0]) => g.list(f).groups.map((x) => x.title);
    expect(titles({})).toEqual(['b', 'a']);
    expect(titles({ service: 'orders' })).toEqual(['a']);
    expect(titles({ route: '/g' })).toEqual(['b']);
    expect(titles({ user: 'ada' })).toEqual(['a']);
    expect(titles({ release: '1' })).toEqual(['a']);
    expect(titles({ source: 'uncaught' })).toEqual(['b']);
    expect(titles({ since: 150 })).toEqual(['b']);
    expect(titles({ service: 'nobody' })).toEqual([]);
    expect(g.list({ limit: 1 })).toMatchObject({ total: 2, groups: [{ title: 'b' }] });
  });

  it('keeps a per-minute series that moves with the clock, and ignores what is older than it', () => {
    const c = clock();
    const g = new ErrorGroups({ now: c.now, seriesMinutes: 5 });
    const rec = (t: number) => g.record(exc('x'), { source: 'log', service: 's', time: t });
    rec(T0);
    rec(T0 + 1000);
    rec(T0 + 2 * MINUTE_MS);
    c.set(T0 + 2 * MINUTE_MS);
    expect(g.list().groups[0]!.series).toEqual([0, 0, 2, 0, 1]);
    c.set(T0 + 4 * MINUTE_MS);
    expect(g.list().groups[0]!.series).toEqual([2, 0, 1, 0, 0]);
    rec(T0 + 10 * MINUTE_MS); // a jump past the whole series clears it
    rec(T0 - 60 * MINUTE_MS); // far older: counted, not charted
    c.set(T0 + 10 * MINUTE_MS);
    const s = g.list().groups[0]!;
    expect(s.series).toEqual([0, 0, 0, 0, 1]);
    expect(s.count).toBe(5);
    expect(s.firstSeen).toBe(T0 - 60 * MINUTE_MS);
    expect(g.list().seriesEnd).toBe(T0 + 11 * MINUTE_MS);
  });

  it('marks a group new when first seen newAfterMs after start', () => {
    const g = new ErrorGroups({ startedAt: T0, newAfterMs: 300_000 });
    g.record(exc('early', 'e'), { source: 'log', service: 's', time: T0 + 299_999 });
    g.record(exc('late', 'l'), { source: 'log', service: 's', time: T0 + 300_000 });
    expect(Object.fromEntries(g.list().groups.map((x) => [x.title, x.isNew]))).toEqual({ early: false, late: true });
  });

  it('forgets the oldest traces past maxTraces (bounded), counting them', () => {
    const g = new ErrorGroups({ maxTraces: 2 });
    for (let i = 1; i <= 3; i++) g.record(exc('x'), { source: 'span', service: 's', traceId: trace(i), spanId: '1'.repeat(16) });
    expect(g.hasTrace(trace(1))).toBe(false);
    expect(g.inTrace(trace(3))).toEqual([{ fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/), spanId: '1'.repeat(16), service: 's' }]);
    expect(g.stats()).toMatchObject({ traces: 2, evictedTraces: 1 });
  });

  it('refuses unknown options with a hint', () => {
    expect(() => new ErrorGroups({ maxGroup: 3 } as never)).toThrow(/did you mean "maxGroups"/);
    expect(() => new ErrorGroups({ maxGroups: 0 })).toThrow(/maxGroups/);
  });
});
