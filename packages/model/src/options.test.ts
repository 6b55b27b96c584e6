import { describe, expect, it } from 'vitest';
import {
  checkKeys,
  checkValue,
  closest,
  describeValue,
  editDistance,
  isBoolean,
  isFunction,
  isNonEmptyString,
  isNumberAtLeast,
  isPlainObject,
  isPositiveInt,
  isString,
  isStringArray,
  must,
  unknownOption,
  type Schema,
} from './options.js';

describe('editDistance', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['same', 'same', 0],
    ['graceMS'.toLowerCase(), 'graceMs'.toLowerCase(), 0],
    ['maxspan', 'maxspans', 1],
    ['erorr', 'error', 2],
  ])('%s -> %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('closest', () => {
  it('names a near name, case-insensitively', () => {
    expect(closest('maxspan', ['maxSpans', 'maxBytes'])).toBe('maxSpans');
    expect(closest('Path', ['path', 'service'])).toBe('path');
    expect(closest('graceMS', ['graceMs', 'maxAgeMs'])).toBe('graceMs');
  });
  it('names nothing when no name is close enough to be a typo', () => {
    expect(closest('qq', ['maxSpans'])).toBeUndefined();
    expect(closest('zzzzzzzzzz', ['path', 'service', 'token'])).toBeUndefined();
    expect(closest('x', [])).toBeUndefined();
  });
  it('allows more edits for long keys (a third of the length)', () => {
    expect(closest('maxPendingTrace_s', ['maxPendingTraces'])).toBe('maxPendingTraces');
    expect(closest('maxPndngTrcs', ['maxPendingTraces'])).toBe('maxPendingTraces'); // 4 edits, 12 characters
  });
});

describe('unknownOption', () => {
  it('suggests with the prefix, or lists the known options', () => {
    expect(unknownOption('maxSpan', ['maxSpans', 'maxBytes'], 'store.')).toBe('unknown option "store.maxSpan"; did you mean "store.maxSpans"?');
    expect(unknownOption('zzzzzz', ['a', 'b'])).toBe('unknown option "zzzzzz"; known options: a, b');
  });
});

describe('checkKeys', () => {
  const SCHEMA: Schema = { maxSpans: isPositiveInt, name: isString, on: isBoolean };

  it('accepts known keys with good values, and skips undefined values', () => {
    expect(() => checkKeys({ maxSpans: 5, name: 'x', on: undefined }, SCHEMA, 'Thing')).not.toThrow();
    expect(() => checkKeys({}, SCHEMA, 'Thing')).not.toThrow();
  });

  it.each([
    [{ maxSpan: 5 }, 'Thing: unknown option "maxSpan"; did you mean "maxSpans"?'],
    [{ zzzzzzzz: 1 }, 'Thing: unknown option "zzzzzzzz"; known options: maxSpans, name, on'],
    [{ maxSpans: 0 }, 'Thing: maxSpans must be a positive integer, got number 0'],
    [{ name: 5 }, 'Thing: name must be a string, got number 5'],
    [{ on: 'yes' }, 'Thing: on must be true or false, got the string "yes"'],
    // Keys of Object.prototype are not options.
    [{ toString: 1 }, 'Thing: unknown option "toString"; known options: maxSpans, name, on'],
    [{ constructor: 1 }, 'Thing: unknown option "constructor"; known options: maxSpans, name, on'],
  ])('refuses %o', (obj, message) => {
    expect(() => checkKeys(obj, SCHEMA, 'Thing')).toThrow(new TypeError(message));
  });

  it('puts the prefix on names and throws the given error class', () => {
    class MyError extends TypeError {}
    expect(() => checkKeys({ maxSpans: -1 }, SCHEMA, 'debugPanel(options)', 'store.', MyError)).toThrow(MyError);
    expect(() => checkKeys({ maxSpans: -1 }, SCHEMA, 'debugPanel(options)', 'store.', RangeError)).toThrow(
      new RangeError('debugPanel(options): store.maxSpans must be a positive integer, got number -1'),
    );
  });
});

describe('checks', () => {
  it.each([
    [isString, 'a', 5, 'x must be a string, got number 5'],
    [isNonEmptyString, 'a', '  ', 'x must be a non-empty string, got the string "  "'],
    [isBoolean, false, 0, 'x must be true or false, got number 0'],
    [isFunction, () => {}, {}, 'x must be a function, got an object'],
    [isPositiveInt, 1, 1.5, 'x must be a positive integer, got number 1.5'],
    [isPositiveInt, 2 ** 53 - 1, 2 ** 53, 'x must be a positive integer, got number 9007199254740992'],
    [isStringArray, ['a'], ['a', 1], 'x must be an array of strings, got an array'],
    [isNumberAtLeast(0), 0, -1, 'x must be a number >= 0, got number -1'],
    [isNumberAtLeast(0), 0.5, Infinity, 'x must be a number >= 0, got number Infinity'],
    [isNumberAtLeast(0, true), 0.5, 0, 'x must be a number > 0, got number 0'],
    [must((v) => v === 'a' || v === 'b', '"a" or "b"'), 'b', 'c', 'x must be "a" or "b", got the string "c"'],
  ])('%#: accepts a good value and says what a bad one must be', (check, good, bad, message) => {
    expect(check(good, 'x')).toBeUndefined();
    expect(check(bad, 'x')).toBe(message);
  });

  it('checkValue throws where: problem', () => {
    expect(() => checkValue(undefined, isFunction, 'onKeep', 'TailSampler')).toThrow(new TypeError('TailSampler: onKeep must be a function, got undefined'));
    expect(() => checkValue(() => {}, isFunction, 'onKeep', 'TailSampler')).not.toThrow();
  });

  it('describes values for messages, cutting long strings', () => {
    expect([null, [], {}, 'x'.repeat(50), 3, undefined, () => {}].map(describeValue)).toEqual([
      'null', 'an array', 'an object', `the string "${'x'.repeat(40)}..."`, 'number 3', 'undefined', 'a function',
    ]);
  });

  it('isPlainObject takes object literals and null-prototype objects only', () => {
    expect([{}, Object.create(null), [], null, new Date(), 'x'].map(isPlainObject)).toEqual([true, true, false, false, false, false]);
  });
});
