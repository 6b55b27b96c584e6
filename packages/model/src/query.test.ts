import { describe, expect, it } from 'vitest';
import { summaryDecides, summaryMatches, type TraceSummary } from './query.js';

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
  });
});
