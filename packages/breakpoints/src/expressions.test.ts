import { describe, expect, it } from 'vitest';
import { checkCondition, checkExpressionSyntax, parseTemplate } from './expressions.js';

describe('checkCondition', () => {
  it('accepts read-only conditions', () => {
    for (const c of ['n > 2', 'user.name === "ann" && items.length > 0', 'a?.b ?? c', 'id.startsWith("x")', 'map.has(k)', '!done', '`${a}-${b}` === key', 'typeof x === "string"']) {
      expect(checkCondition(c), c).toBeUndefined();
    }
  });

  it('refuses syntax errors with the position', () => {
    expect(checkCondition('n >')).toMatch(/condition "n >" has a syntax error: Unexpected token \(1:3\)/);
    expect(checkCondition('a b')).toMatch(/syntax error: unexpected "b"/);
    expect(checkCondition('a); evil(')).toMatch(/syntax error/);
  });

  it('refuses side effects, naming the culprit', () => {
    expect(checkCondition('x = 1')).toMatch(/`x = 1` assigns a value/);
    expect(checkCondition('count++ > 3')).toMatch(/`count\+\+` changes a variable/);
    expect(checkCondition('delete o.k')).toMatch(/deletes a property/);
    expect(checkCondition('arr.push(1)')).toMatch(/calling `arr.push\(\)` may have side effects/);
    expect(checkCondition('save()')).toMatch(/calling `save\(\)`/);
    expect(checkCondition('new Foo()')).toMatch(/new expression/);
    expect(checkCondition('(() => x)()')).toMatch(/may have side effects/);
    expect(checkCondition('a && b.c(d)')).toMatch(/calling `b.c\(\)`/);
    expect(checkCondition('s.includes(x = 2)')).toMatch(/assigns a value/);
  });

  it('refuses empty and oversized input', () => {
    expect(checkCondition('  ')).toMatch(/non-empty/);
    expect(checkCondition('a'.repeat(501))).toMatch(/longer than 500/);
  });
});

describe('checkExpressionSyntax', () => {
  it('allows calls (watches run side-effect-free at the hit) but not statements', () => {
    expect(checkExpressionSyntax('arr.push(1)')).toBeUndefined();
    expect(checkExpressionSyntax('while (true) {}', 'watch')).toMatch(/watch "while \(true\) \{\}" has a syntax error/);
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

  it('refuses side effects in parts (V8 evaluates them like conditions)', () => {
    expect(parseTemplate('n={list.push(1)}')).toMatch(/message part "list.push\(1\)" refused: calling `list.push\(\)` may have side effects/);
    expect(parseTemplate('n={x++}')).toMatch(/changes a variable/);
  });

  it('reports unclosed braces and bad expressions', () => {
    expect(parseTemplate('x {a')).toMatch(/unclosed "\{" at column 3/);
    expect(parseTemplate('x {a b}')).toMatch(/message part "a b" has a syntax error/);
    expect(parseTemplate('')).toMatch(/needs a message/);
  });
});
