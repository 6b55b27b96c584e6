import { describe, expect, it } from 'vitest';
import { Interner, compactSpan } from './compact.js';
import { estimateSpanBytes, stringBytes } from './estimate.js';
import { span, tid } from './spans.test-helper.js';

describe('compactSpan', () => {
  it('shares repeated names and attribute values and charges them to the first span only', () => {
    const interner = new Interner();
    const value = () => ['GET', '/orders/:id'].join(' '); // a fresh string object each time
    const a = span(tid(1), { name: value(), attributes: { 'http.route': value(), n: 3 } });
    const b = span(tid(2), { name: value(), attributes: { 'http.route': value(), n: 3 } });
    // Within the first span already, the route repeats its name: held once.
    const first = compactSpan(a, interner);
    expect(first).toBe(estimateSpanBytes(a) - stringBytes(value()));
    const second = compactSpan(b, interner);
    expect(second).toBe(estimateSpanBytes(b) - 2 * stringBytes(value()));
    expect(b.name).toBe(a.name);
    expect(b.attributes['http.route']).toBe('GET /orders/:id');
    expect(interner.size).toBe(1);
  });

  it('swaps a plain unset/ok status and an empty events array for shared frozen ones, and leaves the rest', () => {
    const interner = new Interner();
    const a = span(tid(3), { status: { code: 'unset' } });
    const b = span(tid(4), { status: { code: 'ok' } });
    const c = span(tid(5), { status: { code: 'error', message: 'boom' }, events: [{ name: 'e', time: 1, attributes: {} }] });
    for (const s of [a, b, c]) compactSpan(s, interner);
    expect(Object.isFrozen(a.status) && Object.isFrozen(b.status) && Object.isFrozen(a.events)).toBe(true);
    expect([a.status.code, b.status.code]).toEqual(['unset', 'ok']);
    expect(Object.isFrozen(c.status)).toBe(false);
    expect(c.events).toHaveLength(1);
  });

  it('reads a frozen attributes object without writing to it, and counts its strings as its own', () => {
    const interner = new Interner();
    compactSpan(span(tid(6), { attributes: { k: 'repeated value' } }), interner);
    const frozen = span(tid(7), { attributes: Object.freeze({ k: 'repeated value' }) });
    expect(compactSpan(frozen, interner)).toBe(estimateSpanBytes(frozen) - stringBytes(frozen.name));
  });

  it('keeps long strings as they are and stays bounded, starting afresh when full', () => {
    const interner = new Interner();
    const long = 'x'.repeat(300);
    expect(interner.intern(long)).toBe(long);
    expect(interner.hit).toBe(false);
    expect(interner.size).toBe(0);
    for (let i = 0; i < 16_385; i++) interner.intern(`v${i}`);
    expect(interner.resets).toBe(1);
    expect(interner.size).toBe(1);
  });
});
