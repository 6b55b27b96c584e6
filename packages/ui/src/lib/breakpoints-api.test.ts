import type { Breakpoint } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import {
  breakpointInput,
  captureCost,
  targetService,
  breakpointsByLine,
  EMPTY_FORM,
  expiresIn,
  filterFiles,
  relativeTo,
  splitLines,
  stateLabel,
  valuePreview,
} from './breakpoints-api.js';

const bp = (over: Partial<Breakpoint>): Breakpoint => ({
  id: 'b1', file: '/app/src/a.ts', line: 3, kind: 'snapshot', watch: [], maxHits: 1, hits: 0, state: 'active', createdAt: 0, expiresAt: 1, ...over,
});

describe('relativeTo', () => {
  it('strips the root, with or without a trailing slash', () => {
    expect(relativeTo('/app', '/app/src/a.ts')).toBe('src/a.ts');
    expect(relativeTo('/app/', '/app/src/a.ts')).toBe('src/a.ts');
  });
  it('does not strip a sibling folder that shares the prefix', () => {
    expect(relativeTo('/app', '/app2/src/a.ts')).toBe('/app2/src/a.ts');
  });
  it('handles file URLs and Windows separators', () => {
    expect(relativeTo('/app', 'file:///app/src/my%20file.ts')).toBe('src/my file.ts');
    expect(relativeTo('C:\\app', 'C:\\app\\src\\a.ts')).toBe('src/a.ts');
  });
});

describe('filterFiles', () => {
  const files = ['dist/server.js', 'src/server.ts', 'src/orders/price.ts', 'lib/util.js', 'scripts/x.mjs', 'src/server.test.ts', 'dist/server.test.js', 'src/__tests__/a.ts'];
  it('puts TypeScript sources first, leaves tests and build copies of listed sources out', () => {
    expect(filterFiles(files, '')).toEqual({ files: ['src/orders/price.ts', 'src/server.ts', 'scripts/x.mjs', 'lib/util.js'], more: 0, hidden: 4 });
  });
  it('lists them when a word asks for them', () => {
    expect(filterFiles(files, 'test').files).toEqual(['src/__tests__/a.ts', 'src/server.test.ts']); // dist/server.test.js: a build copy
    expect(filterFiles(files, 'dist').files).toEqual(['dist/server.js']);
  });
  it('matches every word, case-insensitively', () => {
    expect(filterFiles(files, 'SERVER').files).toEqual(['src/server.ts']);
    expect(filterFiles(files, 'src price').files).toEqual(['src/orders/price.ts']);
    expect(filterFiles(files, 'nothing').files).toEqual([]);
  });
  it('caps the list and says how many were left out', () => {
    const many = Array.from({ length: 10 }, (_, i) => `src/f${i}.ts`);
    expect(filterFiles(many, '', 4)).toEqual({ files: ['src/f0.ts', 'src/f1.ts', 'src/f2.ts', 'src/f3.ts'], more: 6, hidden: 0 });
  });
});

describe('breakpointInput', () => {
  it('builds a snapshot with watches one per line and trimmed condition', () => {
    expect(breakpointInput('src/a.ts', 3, { ...EMPTY_FORM, condition: ' x > 1 ', watch: 'a.b\n\n  c  \n', maxHits: '2' })).toEqual({
      input: { file: 'src/a.ts', line: 3, kind: 'snapshot', condition: 'x > 1', watch: ['a.b', 'c'], maxHits: 2 },
    });
  });
  it('builds a logpoint and ignores the watch field', () => {
    expect(breakpointInput('a.ts', 1, { ...EMPTY_FORM, kind: 'logpoint', message: 'n={n}', watch: 'x' })).toEqual({ input: { file: 'a.ts', line: 1, kind: 'logpoint', message: 'n={n}' } });
  });
  it('refuses a logpoint without message, bad max hits and too many watches', () => {
    expect(breakpointInput('a.ts', 1, { ...EMPTY_FORM, kind: 'logpoint' })).toMatchObject({ error: expect.stringMatching(/needs a message/) });
    expect(breakpointInput('a.ts', 1, { ...EMPTY_FORM, maxHits: '0' })).toMatchObject({ error: expect.stringMatching(/at least 1, got "0"/) });
    expect(breakpointInput('a.ts', 1, { ...EMPTY_FORM, maxHits: '1.5' })).toMatchObject({ error: expect.stringMatching(/whole number/) });
    expect(breakpointInput('a.ts', 1, { ...EMPTY_FORM, watch: Array.from({ length: 11 }, (_, i) => `w${i}`).join('\n') })).toMatchObject({ error: expect.stringMatching(/at most 10/) });
  });
});

describe('breakpointsByLine', () => {
  it('keeps the breakpoints of one file, by line', () => {
    const m = breakpointsByLine([bp({ id: 'a', line: 3 }), bp({ id: 'b', file: '/app/src/b.ts' }), bp({ id: 'c', line: 9 })], '/app', 'src/a.ts');
    expect([...m.entries()].map(([l, b]) => [l, b.id])).toEqual([[3, 'a'], [9, 'c']]);
  });
});

describe('valuePreview', () => {
  it('quotes strings and marks truncated ones', () => {
    expect(valuePreview({ name: 's', type: 'string', value: 'a"b' })).toBe('"a\\"b"');
    expect(valuePreview({ name: 's', type: 'string', value: 'abc', note: 'truncated' })).toBe('"abc"…');
  });
  it('shows primitives, null, undefined and redacted values', () => {
    expect(valuePreview({ name: 'n', type: 'number', value: 0 })).toBe('0');
    expect(valuePreview({ name: 'b', type: 'boolean', value: false })).toBe('false');
    expect(valuePreview({ name: 'n', type: 'null', value: null })).toBe('null');
    expect(valuePreview({ name: 'u', type: 'undefined' })).toBe('undefined');
    expect(valuePreview({ name: 'p', type: 'string', note: 'redacted' })).toBe('[REDACTED]');
  });
  it('describes objects by description or first members', () => {
    expect(valuePreview({ name: 'a', type: 'object', value: 'Array(3)', members: [] })).toBe('Array(3)');
    const members = ['a', 'b', 'c', 'd', 'e'].map((n) => ({ name: n, type: 'number', value: 1 }));
    expect(valuePreview({ name: 'o', type: 'object', members })).toBe('{a, b, c, d, …}');
    expect(valuePreview({ name: 'o', type: 'object', members: members.slice(0, 2) })).toBe('{a, b}');
    expect(valuePreview({ name: 'o', type: 'object' })).toBe('object');
    expect(valuePreview({ name: 'o', type: 'object', value: 'Object', members: members.slice(0, 1) })).toBe('{a}');
    expect(valuePreview({ name: 'o', type: 'object', value: 'Object', members: [] })).toBe('Object');
  });
});

describe('stateLabel and splitLines', () => {
  it('shows hits against max hits, unlimited hits, and the error reason', () => {
    expect(stateLabel(bp({ state: 'hit', hits: 1 }))).toBe('hit · 1/1 hit');
    expect(stateLabel(bp({ kind: 'logpoint', maxHits: null, hits: 7 }))).toBe('active · 7 hits');
    expect(stateLabel(bp({ state: 'error', error: 'no code on line 3' }))).toBe('error: no code on line 3');
    expect(stateLabel(bp({ state: 'active', hits: 0, conditionErrors: 4, lastConditionError: 'TypeError: x is undefined' }))).toBe(
      'active · 0/1 hits · condition failed 4× (TypeError: x is undefined)',
    );
  });
  it('splits CRLF and LF and drops the empty line after a final newline', () => {
    expect(splitLines('a\r\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('')).toEqual(['']);
    expect(splitLines('a\n\n')).toEqual(['a', '']);
  });
});

describe('expiresIn', () => {
  it('counts seconds, minutes and hours, never below zero', () => {
    expect(expiresIn(45_400, 0)).toBe('45s');
    expect(expiresIn(12 * 60_000 + 5_000, 0)).toBe('12m');
    expect(expiresIn(3_600_000, 0)).toBe('1h');
    expect(expiresIn(65 * 60_000, 0)).toBe('1h 5m');
    expect(expiresIn(0, 10_000)).toBe('0s');
  });
});

describe('targetService', () => {
  const e = (services: string[]) => ({ path: 'src/a.ts', services });
  it('sends a breakpoint to the service that runs the file, the hub itself first, or the one picked', () => {
    expect(targetService(e(['orders']), 'gateway')).toBe('orders');
    expect(targetService(e(['orders', 'gateway']), 'gateway')).toBe('gateway');
    expect(targetService(e(['orders', 'inventory']), 'gateway', 'inventory')).toBe('inventory');
    expect(targetService(e(['orders']), 'gateway', 'billing')).toBe('orders'); // not a service that runs it
    expect(targetService(e([]), 'gateway')).toBe('gateway');
    expect(targetService(undefined, 'gateway')).toBe('gateway');
  });
});

describe('captureCost', () => {
  it('says how long the capture paused which process, and how much it took', () => {
    expect(captureCost({ captureUs: 3140, bytes: 3400, service: 'orders' })).toBe('paused orders for 3.1 ms to capture 3.3 KB');
    expect(captureCost({ captureUs: 31_200, bytes: 12_390 })).toBe('paused the process for 31 ms to capture 12.1 KB');
    expect(captureCost({ captureUs: 800, bytes: 900, service: 'a' })).toBe('paused a for 0.8 ms to capture 900 B');
  });
});

describe('breakpointInput with a service', () => {
  it('names the service only when one is given', () => {
    expect(breakpointInput('src/a.ts', 3, EMPTY_FORM, 'orders')).toEqual({ input: { file: 'src/a.ts', line: 3, kind: 'snapshot', service: 'orders' } });
    expect(breakpointInput('src/a.ts', 3, EMPTY_FORM)).toEqual({ input: { file: 'src/a.ts', line: 3, kind: 'snapshot' } });
  });
});

describe('stateLabel of a breakpoint held for another service', () => {
  it('says it waits for that service until it is pulled, then its state there', () => {
    const b = { id: 'bp_1', file: 'src/a.ts', line: 3, kind: 'snapshot', watch: [], maxHits: 1, hits: 0, state: 'pending', createdAt: 0, expiresAt: 1, service: 'orders' } as Breakpoint;
    expect(stateLabel({ ...b, delivery: 'sent' })).toBe('sent to orders: waiting for its panel to pull it');
    expect(stateLabel({ ...b, delivery: 'installed', state: 'active' })).toBe('active · 0/1 hits');
    expect(stateLabel({ ...b, delivery: 'refused', state: 'error', error: 'orders refused it: file not found: src/a.ts' })).toBe('error: orders refused it: file not found: src/a.ts');
  });
});
