import { describe, expect, it } from 'vitest';
import { formatValue, logpointCondition } from './logpoint.js';
import { createRedactor } from './redact.js';

const limits = { maxStringLength: 10, maxProperties: 3 };
const fmt = (v: unknown) => formatValue(v, limits, createRedactor());

describe('formatValue', () => {
  it('renders primitives, truncating long strings', () => {
    expect([fmt('abc'), fmt('x'.repeat(20)), fmt(1.5), fmt(true), fmt(undefined), fmt(null), fmt(10n), fmt(Symbol('s'))]).toEqual([
      'abc', 'xxxxxxxxxx…', '1.5', 'true', 'undefined', 'null', '10n', 'Symbol(s)',
    ]);
  });

  it('renders objects one level deep with at most maxProperties, redacting secrets', () => {
    expect(fmt({ a: 1, token: 'x', b: { c: 2 } })).toBe('{a: 1, token: [REDACTED], b: Object}');
    expect(fmt({ a: 1, b: 2, c: 3, d: 4 })).toBe('{a: 1, b: 2, c: 3, …}');
    expect(fmt([1, 'two', [3]])).toBe('[1, "two", Array(1)]');
    class User { name = 'ann'; }
    expect(fmt(new User())).toBe('User {name: "ann"}');
  });

  it('never runs app code: getters, proxy traps, toString', () => {
    let ran = false;
    const obj = { get lazy() { ran = true; return 1; }, toString() { ran = true; return 'x'; } };
    expect(fmt(obj)).toBe('{lazy: (getter), toString: ƒ toString}');
    const proxy = new Proxy({}, { get() { ran = true; return 1; }, ownKeys() { ran = true; return []; } });
    expect(fmt(proxy)).toBe('Proxy');
    class Sized extends Map<number, number> { override get size() { ran = true; return 99; } }
    expect(fmt(new Sized([[1, 2]]))).toBe('Map(1)');
    expect(ran).toBe(false);
  });

  it('renders dates, sets, errors and functions briefly', () => {
    expect(fmt(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(fmt(new Set([1, 2]))).toBe('Set(2)');
    expect(formatValue(new TypeError('bad thing'), { maxStringLength: 100, maxProperties: 3 }, () => false)).toBe('TypeError: bad thing');
    expect(fmt(function named() {})).toBe('ƒ named');
  });
});

describe('logpointCondition', () => {
  it('wraps every part so one failure does not hide the others, after the user condition', () => {
    const c = logpointCondition('bp_1', [{ text: 'a=' }, { expr: 'a' }, { expr: 'b.c' }], 'a > 1');
    expect(c.startsWith('(a > 1) && globalThis[Symbol.for(\'debugpanel.logpoint\')]?.("bp_1", [')).toBe(true);
    expect(c).toContain('try { return [0, (a)]; } catch (__dp_err) { return [1, __dp_err]; }');
    expect(c).toContain('return [0, (b.c)]');
  });
});
