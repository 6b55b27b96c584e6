import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, withParam } from './route.js';

describe('parseHash', () => {
  it('reads the traces view with its filter', () => {
    const r = parseHash('#/traces?service=orders&status=error');
    expect(r.view).toBe('traces');
    expect(r.params.get('service')).toBe('orders');
    expect(r.params.get('status')).toBe('error');
  });
  it('reads a trace id and the selected span', () => {
    const r = parseHash('#/trace/abc123?span=ff00');
    expect(r).toMatchObject({ view: 'trace', id: 'abc123' });
    expect(r.params.get('span')).toBe('ff00');
  });
  it('falls back to the traces list for empty, unknown, or id-less trace hashes', () => {
    expect(parseHash('').view).toBe('traces');
    expect(parseHash('#/nope').view).toBe('traces');
    expect(parseHash('#/trace/').view).toBe('traces');
  });
  it('keeps a bad percent-escape as typed instead of throwing', () => {
    expect(parseHash('#/trace/%E0%A4%A').id).toBe('%E0%A4%A');
  });
  it('reads other views and their params', () => {
    const r = parseHash('#/metrics?route=%2Forders');
    expect(r.view).toBe('metrics');
    expect(r.params.get('route')).toBe('/orders');
  });
  it('reads the logs view with its filter, and writes it back', () => {
    const r = parseHash('#/logs?service=orders&severity=warn&text=time%20out');
    expect(r.view).toBe('logs');
    expect(r.params.get('text')).toBe('time out');
    expect(formatHash({ view: 'logs', params: { service: 'orders', severity: 'warn', text: undefined, traceId: '' } })).toBe('#/logs?service=orders&severity=warn');
  });
});

describe('formatHash', () => {
  it('round-trips through parseHash, leaving empty params out', () => {
    const hash = formatHash({ view: 'trace', id: 'abc', params: { span: '01', q: '', tab: undefined } });
    expect(hash).toBe('#/trace/abc?span=01');
    const back = parseHash(hash);
    expect(formatHash(back)).toBe(hash);
  });
  it('encodes repeated params (attr filters) and special characters', () => {
    const p = new URLSearchParams();
    p.append('attr', 'http.method=GET');
    p.append('attr', 'a=b c');
    const hash = formatHash({ view: 'traces', params: p });
    expect(parseHash(hash).params.getAll('attr')).toEqual(['http.method=GET', 'a=b c']);
  });
  it('withParam sets and removes without touching the input', () => {
    const p = new URLSearchParams('span=1&q=x');
    expect(withParam(p, 'span', undefined).toString()).toBe('q=x');
    expect(withParam(p, 'span', '2').get('span')).toBe('2');
    expect(p.get('span')).toBe('1');
  });
});
