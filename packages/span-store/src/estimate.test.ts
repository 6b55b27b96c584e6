import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { estimateSpanBytes } from './estimate.js';

function span(over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    parentSpanId: '00f067aa0ba902b8',
    name: 'GET /orders/:id',
    kind: 'server',
    service: 'orders',
    startTime: 1_700_000_000_000.5,
    duration: 12.25,
    status: { code: 'unset' },
    attributes: {
      'http.request.method': 'GET', 'url.path': '/orders/12', 'http.route': '/orders/:id',
      'http.response.status_code': 200, 'server.address': 'localhost', 'client.address': '127.0.0.1',
      'user_agent.original': 'curl/8.5.0', 'url.scheme': 'http',
    },
    events: [],
    ...over,
  };
}

describe('estimateSpanBytes', () => {
  it('puts a typical 8-attribute server span in the range measured with heapUsed deltas', () => {
    // Measured: ~470 bytes with shared attribute values, ~700 when every value is its own string.
    const n = estimateSpanBytes(span());
    expect(n).toBeGreaterThan(450);
    expect(n).toBeLessThan(800);
  });

  it('grows with string length, attributes, events and links', () => {
    const base = estimateSpanBytes(span());
    expect(estimateSpanBytes(span({ name: 'x'.repeat(1000) }))).toBeGreaterThan(base + 900);
    expect(estimateSpanBytes(span({ attributes: { ...span().attributes, extra: 'y'.repeat(100) } }))).toBeGreaterThan(base + 100);
    const event = { name: 'exception', time: 1, attributes: { 'exception.stack': 's'.repeat(500) } };
    expect(estimateSpanBytes(span({ events: [event] }))).toBeGreaterThan(base + 500);
    const link = { traceId: '4bf92f3577b34da6a3ce929d0e0e4737', spanId: '00f067aa0ba902b9' };
    expect(estimateSpanBytes(span({ links: [link] }))).toBeGreaterThan(base + 48);
  });

  it('charges more per property once an object has many (V8 dictionary mode)', () => {
    const attrs = (n: number): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    const per16 = (estimateSpanBytes(span({ attributes: attrs(16) })) - estimateSpanBytes(span({ attributes: {} }))) / 16;
    const per40 = (estimateSpanBytes(span({ attributes: attrs(40) })) - estimateSpanBytes(span({ attributes: {} }))) / 40;
    expect(per40).toBeGreaterThan(per16 * 3);
  });

  it('counts array values and non-integer numbers, not small integers or booleans', () => {
    const base = estimateSpanBytes(span({ attributes: { a: 1 } }));
    expect(estimateSpanBytes(span({ attributes: { a: true } }))).toBe(base);
    expect(estimateSpanBytes(span({ attributes: { a: 1.5 } }))).toBe(base + 16);
    expect(estimateSpanBytes(span({ attributes: { a: ['x', 'y', null] } }))).toBeGreaterThan(base + 48);
  });

  it('does not charge a span for a frozen (shared) status or empty events array', () => {
    const own = estimateSpanBytes(span());
    const sharedStatus = estimateSpanBytes(span({ status: Object.freeze({ code: 'unset' as const }) }));
    const sharedEvents = estimateSpanBytes(span({ events: Object.freeze([]) as unknown as SpanRecord['events'] }));
    expect(own - sharedStatus).toBe(32);
    expect(own - sharedEvents).toBe(32);
  });

  it('counts a status message', () => {
    expect(estimateSpanBytes(span({ status: { code: 'error', message: 'm'.repeat(64) } }))).toBeGreaterThan(
      estimateSpanBytes(span()) + 64,
    );
  });
});
