import { describe, expect, it } from 'vitest';
import { Interner, storeSpan, storedSpanBytes } from './compact.js';
import { eventsBytes, statusBytes, stringBytes } from './estimate.js';
import { REST_BYTES, SLOT_BYTES, SpanSlab } from './slab.js';
import { span, tid } from './spans.test-helper.js';

describe('storeSpan', () => {
  it('shares repeated names and attribute values and charges them to the first span only', () => {
    const slab = new SpanSlab();
    const interner = new Interner();
    const value = () => ['GET', '/orders/:id'].join(' '); // a fresh string object each time
    const a = span(tid(1), { name: value(), attributes: { 'http.route': value(), n: 3 } });
    const b = span(tid(2), { name: value(), attributes: { 'http.route': value(), n: 3 } });
    const sa = slab.alloc();
    // Names and each key's values have tables of their own: nothing is shared within the first span.
    const first = storeSpan(slab, sa, a, interner, false);
    expect(first).toBe(storedSpanBytes(a));
    const sb = slab.alloc();
    const second = storeSpan(slab, sb, b, interner, false);
    expect(second).toBe(storedSpanBytes(b) - 2 * stringBytes(value()));
    expect(slab.name(sb)).toBe(slab.name(sa));
    expect(b.attributes['http.route']).toBe('GET /orders/:id');
    expect(interner.size).toBe(2);
    expect(slab.bytes(sb)).toBe(second);
  });

  it('charges a slot, the name and the attributes, plus the rare parts it keeps', () => {
    const plain = span(tid(3), { name: 'n', attributes: {} });
    expect(storedSpanBytes(plain)).toBe(SLOT_BYTES + stringBytes('n') + 56);
    const events = [{ name: 'e', time: 1, attributes: {} }];
    expect(storedSpanBytes({ ...plain, events })).toBe(storedSpanBytes(plain) + REST_BYTES + eventsBytes(events));
    const status = { code: 'error' as const, message: 'boom' };
    expect(storedSpanBytes({ ...plain, status })).toBe(storedSpanBytes(plain) + REST_BYTES + statusBytes(status));
    // An id that is not 16 lower-case hex characters is kept as a string.
    expect(storedSpanBytes({ ...plain, spanId: 'not-hex' })).toBe(storedSpanBytes(plain) + REST_BYTES + stringBytes('not-hex'));
    // A frozen unset/ok status or a hex parent id costs nothing of its own.
    expect(storedSpanBytes({ ...plain, status: Object.freeze({ code: 'ok' as const }), parentSpanId: 'ab'.repeat(8) })).toBe(storedSpanBytes(plain));
  });

  it('reads a frozen attributes object without writing to it, and counts its strings as its own', () => {
    const slab = new SpanSlab();
    const interner = new Interner();
    storeSpan(slab, slab.alloc(), span(tid(6), { attributes: { k: 'repeated value' } }), interner, false);
    const frozen = span(tid(7), { attributes: Object.freeze({ k: 'repeated value' }) });
    expect(storeSpan(slab, slab.alloc(), frozen, interner, false)).toBe(storedSpanBytes(frozen) - stringBytes(frozen.name));
  });

  it('keeps long strings as they are, and stops looking up a key whose values do not repeat', () => {
    const interner = new Interner();
    const long = 'x'.repeat(300);
    expect(interner.intern(long)).toBe(long);
    expect(interner.hit).toBe(false);
    expect(interner.size).toBe(0);
    // 256 look-ups without a hit: the next 1,024 values of that key are kept as they are.
    for (let i = 0; i < 256 + 1024; i++) interner.internValue('request.id', `r${i}`);
    expect(interner.size).toBe(256);
    interner.internValue('request.id', 'r0');
    expect(interner.hit).toBe(true);
    // Another key is looked up as before.
    interner.internValue('http.method', 'GET');
    interner.internValue('http.method', 'GET');
    expect(interner.hit).toBe(true);
  });

  it('stays bounded: at most 1,024 values per key, and all tables start afresh past 16,384 strings', () => {
    const interner = new Interner();
    // Each value twice, so every key keeps a hit rate that keeps it looked up.
    for (let i = 0; i < 2000; i++) for (let r = 0; r < 2; r++) interner.internValue('k', `v${i}`);
    expect(interner.size).toBe(1024);
    for (let k = 0; k < 16; k++) for (let i = 0; i < 1024; i++) for (let r = 0; r < 2; r++) interner.internValue(`key${k}`, `v${i}`);
    expect(interner.resets).toBe(1);
    expect(interner.size).toBeLessThanOrEqual(16_384);
  });
});
