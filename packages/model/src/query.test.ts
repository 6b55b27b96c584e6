import { describe, expect, it } from 'vitest';
import { httpStatusIn, parseHttpStatusFilter, summaryDecides, summaryMatches, type TraceSummary } from './query.js';

const summary = (extra: Partial<TraceSummary> = {}): TraceSummary => ({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  rootName: 'GET /orders/:id',
  rootService: 'gw',
  services: ['gw', 'orders'],
  startTime: 1000,
  duration: 50,
  spanCount: 3,
  errorCount: 1,
  route: '/o',
  reason: 'error',
  ...extra,
});

describe('summaryMatches', () => {
  const s = summary();
  it.each([
    ['every summary field at once', { service: 'orders', route: '/o', status: 'error', minDuration: 50, maxDuration: 50, reason: 'error', since: 1000, until: 1000 }, true],
    ['no filter', {}, true],
    ['paging only', { limit: 5, cursor: 'abc' }, true],
    ['another service', { service: 'billing' }, false],
    ['another route', { route: '/p' }, false],
    ["another route of the root's service", { service: 'gw', route: '/p' }, false],
    ['a route of a service below the root: in its spans', { service: 'orders', route: '/p' }, undefined],
    ['a route of a service the trace lacks', { service: 'billing', route: '/p' }, false],
    ['status ok on a failed trace', { status: 'ok' }, false],
    ['shorter than minDuration', { minDuration: 51 }, false],
    ['longer than maxDuration', { maxDuration: 49 }, false],
    ['another reason', { reason: 'slow' }, false],
    ['started before since', { since: 1001 }, false],
    ['started after until', { until: 999 }, false],
    ['the root name', { name: 'GET /orders/:id' }, true],
    ['another span name', { name: 'SELECT' }, undefined],
    ['attributes', { attributes: { a: 'b' } }, undefined],
    ['text in the trace id (any case)', { text: 'B34DA6' }, true],
    ['text in the root name', { text: 'orders/:' }, true],
    ['text elsewhere', { text: 'timeout' }, undefined],
    ['a miss beats "cannot tell"', { service: 'billing', text: 'timeout' }, false],
    ['the root name with text elsewhere', { name: 'GET /orders/:id', text: 'timeout' }, undefined],
  ] as const)('%s', (_name, q, want) => {
    expect(summaryMatches(s, q)).toBe(want);
  });
  it('status error needs an error span, status ok none', () => {
    expect(summaryMatches(summary({ errorCount: 0 }), { status: 'error' })).toBe(false);
    expect(summaryMatches(summary({ errorCount: 0 }), { status: 'ok' })).toBe(true);
  });
});

describe('summaryDecides', () => {
  it('is false exactly when a filter lives in spans', () => {
    expect(summaryDecides({ service: 'x', minDuration: 3, reason: 'slow' })).toBe(true);
    expect(summaryDecides({ text: 'x' })).toBe(false);
    expect(summaryDecides({ name: 'x' })).toBe(false);
    expect(summaryDecides({ attributes: { a: 'b' } })).toBe(false);
    expect(summaryDecides({ attributes: {} })).toBe(true);
    expect(summaryDecides({ route: '/o' })).toBe(true);
    expect(summaryDecides({ service: 'orders', route: '/o' })).toBe(false);
  });
});

describe('httpStatus filter', () => {
  it('parses classes and exact codes, any case and spacing', () => {
    expect(parseHttpStatusFilter('5xx')).toEqual({ classes: [5], codes: [] });
    expect(parseHttpStatusFilter(' 4XX, 502 ,404')).toEqual({ classes: [4], codes: [502, 404] });
  });
  it.each(['', ',', '5x', '600', '6xx', '40', 'error', '404;500'])('refuses %j with a message naming the form', (bad) => {
    expect(parseHttpStatusFilter(bad)).toMatch(/httpStatus/);
  });
  it('refuses more than 20 terms', () => {
    expect(parseHttpStatusFilter(Array(21).fill('500').join(','))).toMatch(/at most 20/);
  });
  it('matches a root status by class or code; a trace without one never', () => {
    const f = parseHttpStatusFilter('5xx,404') as Exclude<ReturnType<typeof parseHttpStatusFilter>, string>;
    expect([502, 500, 404, 409, 200].map((c) => httpStatusIn(c, f))).toEqual([true, true, true, false, false]);
    expect(httpStatusIn(undefined, f)).toBe(false);
  });
  it('decides summaries: a 409 answer is not a 5xx, and a 4xx server answer is no error', () => {
    expect(summaryMatches(summary({ httpStatus: 409, errorCount: 0 }), { httpStatus: '4xx' })).toBe(true);
    expect(summaryMatches(summary({ httpStatus: 409, errorCount: 0 }), { httpStatus: '5xx' })).toBe(false);
    expect(summaryMatches(summary({ httpStatus: 502 }), { httpStatus: '502', status: 'error' })).toBe(true);
    expect(summaryMatches(summary({}), { httpStatus: '5xx' })).toBe(false);
    expect(summaryDecides({ httpStatus: '5xx' })).toBe(true);
  });
});
