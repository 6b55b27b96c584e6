import { describe, expect, it } from 'vitest';
import { checkCondition, checkExpression, parseTemplate, readsSecretKey } from './expressions.js';
import { Redactor } from '@debugpanel/model';

// The static allow-list is the early, friendly refusal; the bypass table (safety.test.ts) shows
// what V8's side-effect-free evaluation does with what passes it.
describe('checkExpression', () => {
  it.each([
    'n > 2', 'user.name === "ann" && items.length > 0', 'a?.b ?? c', 'id.startsWith("x")', 'map.has(k)', '!done',
    '`${a}-${b}` === key', 'typeof x === "string"', 'req.headers["x-id"]', 'list[i].qty >= 3', '[1, 2].includes(n)',
    '/^a+$/.test(s)', 'Math.max(a, b) > 3', 'Object.keys(o).length', 'Number(s) + 1', 'this.id', 'o?.get("k")',
    'Array.isArray(v)', 'Date.now() - t > 1000', '(-x) ** 2 < 0 || void 0 === u', "'a' in o", 'o instanceof Error',
  ])('accepts %s', (expr) => {
    expect(checkExpression(expr, 'condition')).toBeUndefined();
  });

  it.each([
    ['x = 1', /`x = 1` assigns a value/],
    ['count++ > 3', /`count\+\+` changes a variable/],
    ['delete o.k', /deletes a property/],
    ['arr.push(1)', /calling `arr.push\(\)` is not allowed/],
    ['save()', /calling `save\(\)`/],
    ['new Foo()', /`new`/],
    ['(() => x)()', /a function/],
    ['a && b.c(d)', /calling `b.c\(\)`/],
    ['s.includes(x = 2)', /assigns a value/],
    ['o[name]()', /calling `o\[name\]\(\)`/],
    ['(0, f)()', /comma operator/],
    ['f.call(o)', /`call` is not available/],
    ['({a: 1}).a', /object literals/],
    ['x.constructor', /`constructor` is not available/],
    ["x['__proto__']", /`__proto__` is not available/],
    ['eval', /`eval` is not available/],
    ['tag`x`', /tagged template/],
    ['[...a]', /spread/],
    ["import('fs')", /import\(\) is not allowed/],
    ["s.padEnd(1e9)", /calling `s.padEnd\(\)`/],
  ])('refuses %s', (expr, reason) => {
    expect(checkCondition(expr)).toMatch(new RegExp(`^condition ".*" refused: .*${reason.source}`));
  });

  it('refuses syntax errors with the position, empty and oversized input', () => {
    expect(checkCondition('n >')).toMatch(/condition "n >" has a syntax error: Unexpected token \(1:3\)/);
    expect(checkCondition('a b')).toMatch(/syntax error: unexpected "b"/);
    expect(checkCondition('a); evil(')).toMatch(/syntax error/);
    expect(checkCondition('  ')).toMatch(/non-empty/);
    expect(checkCondition('a'.repeat(501))).toMatch(/longer than 500/);
  });
});

describe('readsSecretKey', () => {
  const r = new Redactor();
  it('tells when an expression ends on a secret-looking name', () => {
    for (const e of ['password', 'order.apiKey', 'req.headers["x-api-key"]', 'a?.token']) expect(readsSecretKey(e, r), e).toBe(true);
    for (const e of ['order.id', 'password.length', 'req.headers[k]', 'a +']) expect(readsSecretKey(e, r), e).toBe(false);
  });
});

describe('parseTemplate', () => {
  it('splits text and expressions, with {{ }} as literal braces', () => {
    expect(parseTemplate('user {user.id} has {{n}} {items.length}')).toEqual([
      { text: 'user ' },
      { expr: 'user.id' },
      { text: ' has {n} ' },
      { expr: 'items.length' },
    ]);
  });

  it('lets a part hold braces of its own (a template literal, a string)', () => {
    expect(parseTemplate('k={`${a}-${b}`} s={"}"}')).toEqual([{ text: 'k=' }, { expr: '`${a}-${b}`' }, { text: ' s=' }, { expr: '"}"' }]);
  });

  it('refuses parts the allow-list refuses', () => {
    expect(parseTemplate('n={list.push(1)}')).toMatch(/message part "list.push\(1\)" refused: calling `list.push\(\)`/);
    expect(parseTemplate('n={x++}')).toMatch(/changes a variable/);
  });

  it('reports unclosed braces and bad expressions', () => {
    expect(parseTemplate('x {a')).toMatch(/unclosed "\{" at column 3/);
    expect(parseTemplate('x {a b}')).toMatch(/message part "a b" has a syntax error/);
    expect(parseTemplate('')).toMatch(/needs a message/);
    expect(parseTemplate(Array.from({ length: 11 }, (_, i) => `{a${i}}`).join(' '))).toMatch(/at most 10/);
  });
});
