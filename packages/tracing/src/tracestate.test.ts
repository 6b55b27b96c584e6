import { describe, expect, it } from 'vitest';
import { TraceState as CoreTraceState } from '@opentelemetry/core';
import { isTracestateKey, isTracestateValue, MAX_PROPAGATED_LENGTH, parseTracestate } from './tracestate.js';

/** Every character a key may hold (lcalpha, DIGIT, `_ - * / @`) and a value (printable ASCII but `,` `=`). */
const ALL_KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/@';
const ALL_VALUE_CHARS = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i))
  .filter((c) => c !== ',' && c !== '=')
  .join('');
const members = (n: number) => Array.from({ length: n }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i + 1}`).join(',');

describe('tracestate keys (current grammar: `@` anywhere after the first character, 256 characters in all)', () => {
  it.each([
    ['simple', 'rojo'],
    ['starting with a digit', '1special'],
    ['every allowed character', ALL_KEY_CHARS],
    ['tenant@system', 'special@vendor'],
    ['ending in @', 'foo@'],
    ['two @ in a row', 'foo@@bar'],
    ['three parts', 'foo@bar@baz'],
    ['241-character tenant and 14-character system', 't'.repeat(241) + '@' + 'v'.repeat(14)],
    ['242-character tenant (no tenant limit any more)', 't'.repeat(242) + '@v'],
    ['15-character system (no system limit any more)', 't@' + 'v'.repeat(15)],
    ['256 characters', 'z'.repeat(256)],
  ])('valid: %s', (_label, key) => {
    expect(isTracestateKey(key)).toBe(true);
    expect(parseTracestate(`${key}=1`)?.get(key)).toBe('1');
  });

  it.each([
    ['empty', ''],
    ['starting with @', '@foo'],
    ['upper case', 'FOO'],
    ['a dot', 'foo.bar'],
    ['a space inside', 'foo bar'],
    ['starting with _', '_foo'],
    ['257 characters', 'z'.repeat(257)],
    ['non-ASCII', 'café'],
  ])('invalid: %s', (_label, key) => {
    expect(isTracestateKey(key)).toBe(false);
  });
});

describe('tracestate values', () => {
  it.each([
    ['every allowed character', ALL_VALUE_CHARS.trimEnd()],
    ['leading spaces (kept)', '  1'],
    ['256 characters', 'v'.repeat(256)],
  ])('valid: %s', (_label, value) => {
    expect(isTracestateValue(value)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['ending in a space', '1 '],
    ['a comma', 'a,b'],
    ['an equals sign', 'a=b'],
    ['a tab', 'a\tb'],
    ['a newline', 'a\nb'],
    ['non-ASCII', 'é'],
    ['257 characters', 'v'.repeat(257)],
  ])('invalid: %s', (_label, value) => {
    expect(isTracestateValue(value)).toBe(false);
  });
});

/** The w3c/trace-context test suite's cases (test/test.py), as header -> what is passed on. */
describe('parseTracestate: headers taken whole or not at all', () => {
  it.each([
    ['two members', 'foo=1,bar=2', 'foo=1,bar=2'],
    ['OWS around members', 'foo=1 \t , \t bar=2, \t baz=3', 'foo=1,bar=2,baz=3'],
    ['tabs and spaces mixed', 'foo=1\t \t,\t \tbar=2,\t \tbaz=3', 'foo=1,bar=2,baz=3'],
    ['leading space', ' foo=1', 'foo=1'],
    ['leading tab', '\tfoo=1', 'foo=1'],
    ['trailing space (not part of the value)', 'foo=1 ', 'foo=1'],
    ['trailing tab', 'foo=1\t', 'foo=1'],
    ['both', '\t foo=1 \t', 'foo=1'],
    ['a value with leading spaces keeps them', 'foo=  1', 'foo=  1'],
    ['an empty member (an empty header joined with another)', 'foo=1, ', 'foo=1'],
    ['empty members anywhere', ',foo=1,,bar=2,', 'foo=1,bar=2'],
    ['several headers, joined in order', 'foo=1,bar=2, rojo=1,congo=2, baz=3', 'foo=1,bar=2,rojo=1,congo=2,baz=3'],
    ['keys with @', 'foo@=1,bar=2', 'foo@=1,bar=2'],
    ['a repeated key keeps its first value', 'foo=1,foo=2', 'foo=1'],
    ['the same member twice', 'foo=1,foo=1', 'foo=1'],
    ['32 members', members(32), members(32)],
    ['every allowed key and value character', `${ALL_KEY_CHARS}=${ALL_VALUE_CHARS.trimEnd()}`, `${ALL_KEY_CHARS}=${ALL_VALUE_CHARS.trimEnd()}`],
  ])('kept: %s', (_label, header, passedOn) => {
    expect(parseTracestate(header)?.serialize()).toBe(passedOn);
  });

  it.each([
    ['a key with a space before =', 'foo =1'],
    ['an upper-case key', 'FOO=1'],
    ['a key with a dot', 'foo.bar=1'],
    ['a key starting with @, before a good member', '@foo=1,bar=2'],
    ['a 257-character key after a good member', 'foo=1,' + 'z'.repeat(257) + '=1'],
    ['33 members', members(33)],
    ['= in the value', 'foo=bar=baz'],
    ['an empty value, before a good member', 'foo=,bar=3'],
    ['no =', 'foo'],
    ['a tab inside the value', 'foo=a\tb'],
    ['a 257-character value', 'foo=' + 'v'.repeat(257)],
    ['non-ASCII in the value', 'foo=é'],
  ])('discarded whole: %s', (_label, header) => {
    expect(parseTracestate(header)).toBeUndefined();
  });

  it('nothing to pass on for no header, an empty one or only empty members (so no empty header is sent)', () => {
    expect(parseTracestate(undefined)).toBeUndefined();
    expect(parseTracestate('')).toBeUndefined();
    expect(parseTracestate(' , \t,')).toBeUndefined();
    expect(parseTracestate(['', ''])).toBeUndefined();
  });

  it('joins several headers given as an array', () => {
    expect(parseTracestate(['foo=1', '', 'bar=2'])?.serialize()).toBe('foo=1,bar=2');
  });

  it('passes a canonical header on as the very same string', () => {
    const header = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';
    expect(parseTracestate(header)?.serialize()).toBe(header);
  });

  it(`cuts a list over ${MAX_PROPAGATED_LENGTH} characters by whole entries, long ones (> 128) first, then from the right`, () => {
    const long = `long=${'l'.repeat(200)}`;
    const small = Array.from({ length: 30 }, (_, i) => `k${i}=${'v'.repeat(12)}`); // 16 characters each
    const state = parseTracestate([long, ...small].join(','))!;
    const kept = state.serialize();
    expect(kept.length).toBeLessThanOrEqual(MAX_PROPAGATED_LENGTH);
    expect(kept.startsWith('k0=')).toBe(true); // the long entry went first
    expect(kept).not.toContain('long=');
    expect(kept.split(',')).toEqual(small.slice(0, kept.split(',').length));
    // 30 entries of 16 plus 29 commas = 509: all the small ones fit
    expect(kept.split(',')).toHaveLength(30);
  });

  it('is stricter than @opentelemetry/core, which trims member by member', () => {
    expect(new CoreTraceState('foo=1,Bad=2').serialize()).toBe('foo=1');
    expect(parseTracestate('foo=1,Bad=2')).toBeUndefined();
    // and knows keys core's older grammar refuses
    expect(new CoreTraceState('foo@@bar=1').serialize()).toBe('');
    expect(parseTracestate('foo@@bar=1')?.serialize()).toBe('foo@@bar=1');
  });
});

describe('W3CTraceState as the API TraceState', () => {
  const state = parseTracestate('rojo=1,congo=2')!;

  it('get', () => {
    expect(state.get('congo')).toBe('2');
    expect(state.get('nope')).toBeUndefined();
  });

  it('set puts a new or changed member on the left, immutably', () => {
    expect(state.set('new', 'x').serialize()).toBe('new=x,rojo=1,congo=2');
    expect(state.set('congo', '3').serialize()).toBe('congo=3,rojo=1');
    expect(state.serialize()).toBe('rojo=1,congo=2');
  });

  it('set ignores an invalid key or value', () => {
    expect(state.set('Bad', 'x')).toBe(state);
    expect(state.set('ok', 'a,b')).toBe(state);
  });

  it('a 33rd member pushes out the right-most', () => {
    const full = parseTracestate(members(32))!;
    const more = full.set('first', '0');
    expect(more.size).toBe(32);
    expect(more.serialize().startsWith('first=0,bar01=1')).toBe(true);
    expect(more.get('bar32')).toBeUndefined();
  });

  it('unset', () => {
    expect(state.unset('rojo').serialize()).toBe('congo=2');
    expect(state.unset('nope')).toBe(state);
    expect(state.unset('rojo').unset('congo').serialize()).toBe('');
  });
});
