import { describe, expect, it } from 'vitest';
import { formatCaptured } from './logpoint.js';
import type { CapturedValue } from './types.js';

const v = (type: string, value?: CapturedValue['value'], extra: Partial<CapturedValue> = {}): CapturedValue => ({ name: 'x', type, value, ...extra });

describe('formatCaptured', () => {
  it('renders primitives; strings bare at the top and quoted inside objects', () => {
    expect([v('string', 'abc'), v('number', 1.5), v('boolean', true), v('undefined'), v('null', null), v('bigint', '10n'), v('symbol', 'Symbol(s)')].map((x) => formatCaptured(x, 0))).toEqual([
      'abc', '1.5', 'true', 'undefined', 'null', '10n', 'Symbol(s)',
    ]);
    expect(formatCaptured(v('string', 'abc'), 1)).toBe('"abc"');
  });

  it('renders objects one level deep, arrays as lists, class instances with their name', () => {
    const obj = v('object', 'Object', { members: [{ name: 'a', type: 'number', value: 1 }, { name: 'token', type: 'string', value: '[REDACTED]', note: 'redacted' }, { name: 'b', type: 'object', value: 'Object', note: 'depth' }] });
    expect(formatCaptured(obj, 0)).toBe('{a: 1, token: [REDACTED], b: Object}');
    const arr = v('object', 'Array(12)', { note: 'more', members: [{ name: '0', type: 'number', value: 1 }, { name: '1', type: 'string', value: 'two' }] });
    expect(formatCaptured(arr, 0)).toBe('[1, "two", …]');
    expect(formatCaptured(v('object', 'User', { members: [{ name: 'name', type: 'string', value: 'ann' }] }), 0)).toBe('User {name: "ann"}');
    expect(formatCaptured(v('object', 'Uint8Array(2)', { members: [{ name: '0', type: 'number', value: 7 }, { name: '1', type: 'number', value: 8 }] }), 0)).toBe('[7, 8]');
  });

  it('renders getters, functions, errors and Proxies briefly', () => {
    expect(formatCaptured(v('accessor', '(getter)'), 1)).toBe('(getter)');
    expect(formatCaptured(v('function', 'function named(a, b)'), 0)).toBe('ƒ named');
    expect(formatCaptured(v('function', 'async function go()'), 0)).toBe('ƒ go');
    expect(formatCaptured(v('function', '(a) => a'), 0)).toBe('ƒ anonymous');
    expect(formatCaptured(v('object', 'TypeError: bad thing\n    at f (x.js:1:1)'), 0)).toBe('TypeError: bad thing');
    expect(formatCaptured(v('object', 'Proxy(Object)'), 0)).toBe('Proxy(Object)');
  });
});
