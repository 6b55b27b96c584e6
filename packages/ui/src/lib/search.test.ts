import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './tree.js';
import { searchSpans, spanMatches, stepMatch } from './search.js';
import { sid, span } from './test-spans.js';

const s = span('1', undefined, 0, 1, {
  name: 'SELECT orders',
  service: 'orders-db',
  attributes: { 'db.system': 'sqlite', 'http.response.status_code': 503 },
  events: [{ name: 'cache miss', time: 1000, attributes: {} }],
});

describe('spanMatches', () => {
  it('matches name, service, attribute keys and values, and event names, ignoring case', () => {
    for (const q of ['select', 'ORDERS-DB', 'db.system', 'SQLite', '503', 'cache miss']) expect(spanMatches(s, q)).toBe(true);
    expect(spanMatches(s, 'insert')).toBe(false);
  });
  it('key=value looks at that attribute only', () => {
    expect(spanMatches(s, 'db.system=sql')).toBe(true);
    expect(spanMatches(s, 'http.response.status_code=503')).toBe(true);
    expect(spanMatches(s, 'db.system=postgres')).toBe(false);
    expect(spanMatches(s, 'other=sqlite')).toBe(false);
  });
  it('never matches a blank query', () => {
    expect(spanMatches(s, '  ')).toBe(false);
  });
});

describe('searchSpans', () => {
  it('returns matches in waterfall order', () => {
    const t = buildSpanTree([span('1', undefined, 0, 10, { name: 'GET /x' }), span('3', '1', 5, 1, { name: 'query b' }), span('2', '1', 1, 1, { name: 'query a' })]);
    expect(searchSpans(t.order, 'query')).toEqual([sid('2'), sid('3')]);
    expect(searchSpans(t.order, '')).toEqual([]);
  });
});

describe('stepMatch', () => {
  it('moves forward and back, wrapping around', () => {
    expect(stepMatch(-1, 3, 1)).toBe(0);
    expect(stepMatch(-1, 3, -1)).toBe(2);
    expect(stepMatch(2, 3, 1)).toBe(0);
    expect(stepMatch(0, 3, -1)).toBe(2);
    expect(stepMatch(0, 0, 1)).toBe(-1);
  });
});
