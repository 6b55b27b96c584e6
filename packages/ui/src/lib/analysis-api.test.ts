import { describe, expect, it } from 'vitest';
import { criticalPathPath, dependenciesPath, mergedFlamePath, parseSeconds, profileFlamePath, routesOf, traceFlamePath } from './analysis-api.js';

describe('analysis API paths', () => {
  it('builds relative, encoded paths', () => {
    expect(traceFlamePath('ab')).toBe('api/traces/ab/flame');
    expect(criticalPathPath('ab')).toBe('api/traces/ab/critical-path');
    expect(mergedFlamePath('/orders/:id', 50)).toBe('api/flame?route=%2Forders%2F%3Aid&limit=50');
    expect(profileFlamePath('prof_1')).toBe('api/profiles/prof_1/flame');
  });
  it('asks for the dependency map of the last minutes, or of every stored trace', () => {
    expect(dependenciesPath(15, 1_000_000_000)).toBe(`api/dependencies?since=${1_000_000_000 - 900_000}`);
    expect(dependenciesPath(undefined, 5)).toBe('api/dependencies');
  });
});

describe('routesOf', () => {
  it('lists distinct routes, most frequent first', () => {
    expect(routesOf([{ route: '/b' }, { route: '/a' }, {}, { route: '/b' }, { route: '/c' }])).toEqual(['/b', '/a', '/c']);
  });
});

describe('parseSeconds', () => {
  it('accepts 0.1 to 30 seconds and explains anything else', () => {
    expect(parseSeconds('5')).toEqual({ seconds: 5 });
    expect(parseSeconds('0.5')).toEqual({ seconds: 0.5 });
    for (const bad of ['', 'abc', '0', '31', '-1']) expect(parseSeconds(bad)).toEqual({ error: 'seconds must be a number from 0.1 to 30' });
  });
});
