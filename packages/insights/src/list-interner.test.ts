import { describe, expect, it } from 'vitest';
import { ListInterner } from './list-interner.js';
import { digestTrace } from './digest.js';
import type { SpanRecord } from '@debugpanel/model';

describe('ListInterner', () => {
  it('gives equal lists one frozen copy, and keeps lists apart whatever their strings hold', () => {
    const t = new ListInterner(10);
    const a = t.intern(['service:web', 'route:web:GET /x']);
    expect(t.intern(['service:web', 'route:web:GET /x'])).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(t.intern(['route:web:GET /x', 'service:web'])).not.toBe(a); // order matters
    const joined = t.intern(['a\u0000b']);
    expect(t.intern(['a', 'b'])).not.toBe(joined);
    expect(t.intern(['1:a1:b'])).not.toEqual(t.intern(['a', 'b']));
    expect(t.intern([])).toBe(t.intern([]));
    expect(t.size).toBe(5);
  });

  it('starts afresh when full and counts it', () => {
    const t = new ListInterner(3);
    for (let i = 0; i < 7; i++) t.intern([`v${i}`]);
    expect(t.size).toBeLessThanOrEqual(3);
    expect(t.resets).toBe(2);
    expect(() => new ListInterner(0)).toThrow(/positive integer/);
  });

  it('makes digests of equal traces share their scope and attribute lists, with the same content', () => {
    const t = new ListInterner();
    const span = (traceId: string): SpanRecord => ({
      traceId, spanId: '1'.padStart(16, '0'), name: 'GET /hello', kind: 'server', service: 'web', startTime: 1, duration: 2,
      status: { code: 'unset' }, attributes: { 'http.route': '/hello', 'http.response.status_code': 200 }, events: [],
    });
    const cp = (spans: ReadonlyArray<SpanRecord>) => spans.map((s) => ({ spanId: s.spanId, duration: s.duration })) as never;
    const one = digestTrace([span('a'.repeat(32))], cp, undefined, undefined, undefined, undefined, undefined, (l) => t.intern(l))!;
    const two = digestTrace([span('b'.repeat(32))], cp, undefined, undefined, undefined, undefined, undefined, (l) => t.intern(l))!;
    const plain = digestTrace([span('c'.repeat(32))], cp)!;
    expect(two.scopes).toBe(one.scopes);
    expect(two.attrs).toBe(one.attrs);
    expect(two.errorScopes).toBe(one.errorScopes);
    expect({ ...one, traceId: '' }).toEqual({ ...plain, traceId: '' });
  });
});
