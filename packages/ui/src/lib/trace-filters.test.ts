import { describe, expect, it } from 'vitest';
import type { TraceQuery } from '@debugpanel/model';
import { formToQuery, listParams, queryToForm, readListParams, type FilterForm } from './trace-filters.js';

const EMPTY: FilterForm = { text: '', name: '', httpStatus: '', minDuration: '', maxDuration: '', attr: '', reason: '' };

describe('queryToForm', () => {
  it("shows every filter of the address but the shared context's (the filter bar shows those)", () => {
    expect(queryToForm({ service: 'orders', status: 'error', route: '/o' })).toEqual(EMPTY);
    expect(queryToForm({ minDuration: 2.5, attributes: { 'http.method': 'GET', 'user.id': '7' }, text: 'boom', reason: 'slow', name: 'SELECT', route: '/o' })).toEqual({
      ...EMPTY, minDuration: '2.5', attr: 'http.method=GET user.id=7', text: 'boom', reason: 'slow', name: 'SELECT',
    });
    expect(queryToForm({})).toEqual(EMPTY);
  });
});

describe('formToQuery', () => {
  it.each<[string, TraceQuery]>([
    ['service and status', { service: 'orders', status: 'error' }],
    ['every field', { service: 's', route: '/r', name: 'n', status: 'ok', httpStatus: '4xx,502', minDuration: 1, maxDuration: 2.5, attributes: { a: 'b=c', d: '1' }, text: 't x', reason: 'slow' }],
    ['a time window the form has no field for', { route: '/r', since: 10, until: 20 }],
    ['nothing', {}],
  ])('gives back the query it was shown (%s): Apply without an edit changes nothing', (_n, q) => {
    expect(formToQuery(queryToForm(q), q)).toEqual(q);
  });
  it('trims, leaves empty fields out and ignores numbers that are not numbers', () => {
    expect(formToQuery({ ...EMPTY, name: ' GET ', text: '  ', minDuration: 'abc', maxDuration: ' 40 ', attr: 'a=1  novalue =x b=2' }, {})).toEqual({ name: 'GET', maxDuration: 40, attributes: { a: '1', b: '2' } });
  });
  it("keeps the current query's shared context (service, route, status, since/until) whatever the form says", () => {
    const current: TraceQuery = { service: 'orders', route: '/o', status: 'error', since: 5, until: 9, minDuration: 3 };
    expect(formToQuery({ ...queryToForm(current), minDuration: '' }, current)).toEqual({ service: 'orders', route: '/o', status: 'error', since: 5, until: 9 });
  });
});

describe('readListParams / listParams', () => {
  it('splits the sort from the API query and back', () => {
    const p = new URLSearchParams('service=orders&status=error&sort=duration&dir=asc');
    const { parsed, sort } = readListParams(p);
    expect(parsed).toEqual({ query: { service: 'orders', status: 'error' } });
    expect(sort).toEqual({ key: 'duration', desc: false });
    expect(listParams({ service: 'orders', status: 'error' }, sort).toString()).toBe('service=orders&status=error&sort=duration&dir=asc');
  });
  it('still refuses unknown filter keys, and links leave the cursor and default sort out', () => {
    expect(readListParams(new URLSearchParams('servce=x')).parsed).toEqual({ error: expect.stringMatching(/unknown query parameter "servce"/) });
    expect(listParams({ route: '/r', cursor: 'abc' }).toString()).toBe('route=%2Fr');
  });
});
