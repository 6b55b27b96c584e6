import { describe, expect, it } from 'vitest';
import { adjustClockSkew, skewDelta } from './clock-skew.js';
import { sid, span } from './test-spans.js';

describe('skewDelta', () => {
  it('is 0 for a child inside its parent', () => {
    expect(skewDelta({ start: 0, duration: 10 }, { start: 2, duration: 5 })).toBe(0);
    expect(skewDelta({ start: 0, duration: 10 }, { start: 0, duration: 10 })).toBe(0);
  });
  it('centres a child that ends after its parent', () => {
    expect(skewDelta({ start: 0, duration: 10 }, { start: 9, duration: 4 })).toBe(-6);
  });
  it('centres a child that starts before its parent', () => {
    expect(skewDelta({ start: 100, duration: 10 }, { start: 95, duration: 6 })).toBe(7);
  });
  it('only aligns the start of a child longer than its parent, and only when it starts early', () => {
    expect(skewDelta({ start: 10, duration: 5 }, { start: 8, duration: 9 })).toBe(2);
    expect(skewDelta({ start: 10, duration: 5 }, { start: 12, duration: 9 })).toBe(0);
  });
});

describe('adjustClockSkew', () => {
  // The demo's case: orders' server span ends 1.1 ms after the gateway's client span that called it.
  const root = span('1', undefined, 0, 9, { kind: 'server', service: 'gateway' });
  const call = span('2', '1', 1, 6, { kind: 'client', service: 'gateway' });
  const server = span('3', '2', 2.2, 5.9, { kind: 'server', service: 'orders', events: [{ name: 'e', time: 1003, attributes: {} }] });
  const query = span('4', '3', 3, 2, { kind: 'client', service: 'orders' });

  it('moves another service’s span into its caller’s window, with its own process’s children and events', () => {
    const { spans, adjusted } = adjustClockSkew([root, call, server, query]);
    const d = 1 + (6 - 5.9) / 2 - 2.2; // centred in the call: start at 1.05
    expect(adjusted.get(sid('3'))).toBeCloseTo(d, 9);
    expect(adjusted.get(sid('4'))).toBeCloseTo(d, 9);
    expect(adjusted.has(sid('1'))).toBe(false);
    const moved = spans.find((s) => s.spanId === sid('3'))!;
    expect(moved.startTime).toBeCloseTo(1000 + 1.05, 9);
    expect(moved.events[0]!.time).toBeCloseTo(1003 + d, 9);
    // Input untouched: the raw times stay for the span detail.
    expect(server.startTime).toBe(1002.2);
    // Unmoved spans are the same objects.
    expect(spans[0]).toBe(root);
  });

  it('leaves a trace alone whose spans fit, and one of a single service', () => {
    const fits = span('3', '2', 2, 4, { kind: 'server', service: 'orders' });
    expect(adjustClockSkew([root, call, fits]).adjusted.size).toBe(0);
    const sameClock = span('3', '2', 2, 9, { service: 'gateway' });
    expect(adjustClockSkew([root, call, sameClock]).adjusted.size).toBe(0);
  });

  it('tells instances of one service apart by service.instance.id', () => {
    const a = span('1', undefined, 0, 4, { kind: 'client', service: 's', resource: { 'service.instance.id': 'a' } });
    const b = span('2', '1', 3, 4, { kind: 'server', service: 's', resource: { 'service.instance.id': 'b' } });
    expect(adjustClockSkew([a, b]).adjusted.get(sid('2'))).toBe(-3);
  });

  it('adjusts a third service against its already-moved parent', () => {
    const inv = span('5', '4', 4.5, 1, { kind: 'server', service: 'inventory' });
    const { spans } = adjustClockSkew([root, call, server, query, inv]);
    const q = spans.find((s) => s.spanId === sid('4'))!;
    const i = spans.find((s) => s.spanId === sid('5'))!;
    expect(i.startTime).toBeGreaterThanOrEqual(q.startTime);
    expect(i.startTime + i.duration).toBeLessThanOrEqual(q.startTime + q.duration + 1e-9);
  });

  it('survives orphans, duplicates and parent cycles', () => {
    const x = span('7', '8', 0, 1);
    const y = span('8', '7', 0, 1);
    const orphan = span('9', 'ff', 0, 1);
    const out = adjustClockSkew([x, y, orphan, orphan]);
    expect(out.spans).toHaveLength(4);
  });

  it('handles a 10,000-deep chain without recursion', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => span(String(i + 1), i === 0 ? undefined : String(i), i, 10_000 - i, { service: i % 2 ? 'a' : 'b' }));
    expect(adjustClockSkew(chain).adjusted.size).toBe(0);
  });
});
