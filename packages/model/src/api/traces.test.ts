import { describe, expect, it } from 'vitest';
import { parseTraceQuery, traceQueryToParams } from './traces.js';
import { isValidSpanId, isValidTraceId } from '../ids.js';

describe('parseTraceQuery', () => {
  it('parses every filter', () => {
    const p = new URLSearchParams(
      'service=orders&name=GET%20%2Fx&route=%2Forders%2F%3Aid&status=error&minDuration=5&maxDuration=50.5' +
        '&attr=http.method%3DGET&attr=user.id%3D7&text=boom&since=1&until=2&limit=10&cursor=abc&reason=slow&httpStatus=5xx%2C404',
    );
    expect(parseTraceQuery(p)).toEqual({
      query: {
        service: 'orders', name: 'GET /x', route: '/orders/:id', status: 'error', minDuration: 5,
        maxDuration: 50.5, attributes: { 'http.method': 'GET', 'user.id': '7' }, text: 'boom',
        since: 1, until: 2, limit: 10, cursor: 'abc', reason: 'slow', httpStatus: '5xx,404',
      },
    });
  });
  it.each([
    ['status=bad', /status/],
    ['httpStatus=5x', /httpStatus terms are a class like 5xx or a code like 404/],
    ['httpStatus=700', /httpStatus/],
    ['minDuration=-1', /minDuration/],
    ['maxDuration=abc', /maxDuration/],
    ['limit=0', /limit/],
    ['limit=1001', /limit/],
    ['limit=2.5', /limit/],
    ['attr=novalue', /key=value/],
    ['attr==x', /key=value/],
    ['servce=x', /unknown query parameter "servce"/],
  ])('refuses %s with a message', (qs, msg) => {
    const r = parseTraceQuery(new URLSearchParams(qs));
    expect('error' in r && r.error).toMatch(msg);
  });
  it('round-trips through traceQueryToParams', () => {
    const q = { service: 's', attributes: { a: 'b=c' }, minDuration: 3, status: 'ok' as const, httpStatus: '4xx' };
    expect(parseTraceQuery(traceQueryToParams(q))).toEqual({ query: q });
  });
  it('leaves empty values out', () => {
    expect(parseTraceQuery(new URLSearchParams('service=&text='))).toEqual({ query: {} });
  });
});

describe('ids', () => {
  it('accepts lower-case hex of the right length, refuses the rest', () => {
    expect(isValidTraceId('4bf92f3577b34da6a3ce929d0e0e4736')).toBe(true);
    expect(isValidTraceId('4BF92F3577B34DA6A3CE929D0E0E4736')).toBe(false);
    expect(isValidTraceId('0'.repeat(32))).toBe(false);
    expect(isValidTraceId('abc')).toBe(false);
    expect(isValidSpanId('00f067aa0ba902b7')).toBe(true);
    expect(isValidSpanId('0'.repeat(16))).toBe(false);
    expect(isValidSpanId(42)).toBe(false);
  });
});
