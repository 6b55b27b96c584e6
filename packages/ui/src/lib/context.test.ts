import { describe, expect, it } from 'vitest';
import {
  backToList, incidentMatches, incidentTracesLink, contextParams, ignoredFields, linkWith, mapNodeFor, mapWindowFor, metricsWindowFor, navLink, overlapsWindow, readContext, relativeWindow, replaceContext, routeMatches,
} from './context.js';
import { parseHash } from './route.js';

const NOW = 1_700_000_000_000;
const MIN = 60_000;

describe('readContext', () => {
  it('reads the trace query keys of a carrying view and leaves bad values out', () => {
    const p = new URLSearchParams(`service=orders&route=/orders/:id&status=error&since=${NOW - 15 * MIN}&until=${NOW}&sort=duration`);
    expect(readContext('errors', p, NOW)).toEqual({ service: 'orders', route: '/orders/:id', status: 'error', since: NOW - 15 * MIN, until: NOW });
    expect(readContext('logs', new URLSearchParams('status=bad&since=x&until=-4&service=%20'), NOW)).toEqual({});
    // an end before the start is no window end
    expect(readContext('traces', new URLSearchParams(`since=${NOW}&until=${NOW - 1}`), NOW)).toEqual({ since: NOW });
  });
  it('is empty for views that do not carry it, whatever their params say (the map keeps minutes in since)', () => {
    expect(readContext('map', new URLSearchParams('since=15&service=orders'), NOW)).toEqual({});
    expect(readContext('stats', new URLSearchParams('service=orders'), NOW)).toEqual({});
  });
  it('reads Metrics: a dragged range (from/to) is the window, a picked chart window its last minutes', () => {
    expect(readContext('metrics', new URLSearchParams(`service=shop&route=/a&method=GET&from=${NOW - 2 * MIN}&to=${NOW - MIN}`), NOW)).toEqual({ service: 'shop', route: '/a', since: NOW - 2 * MIN, until: NOW - MIN });
    // an incident still going: from without to
    expect(readContext('metrics', new URLSearchParams(`from=${NOW - 3 * MIN}`), NOW)).toEqual({ since: NOW - 3 * MIN });
    expect(readContext('metrics', new URLSearchParams('window=1h'), NOW)).toEqual({ since: NOW - 60 * MIN });
    // the default 5m window is not a choice: no time
    expect(readContext('metrics', new URLSearchParams('service=shop'), NOW)).toEqual({ service: 'shop' });
    // a carried since whose window the view shows stays exact
    expect(readContext('metrics', new URLSearchParams(`window=15m&since=${NOW - 12 * MIN}`), NOW)).toEqual({ since: NOW - 12 * MIN });
    // ...but a window picked afterwards wins
    expect(readContext('metrics', new URLSearchParams(`window=1h&since=${NOW - 12 * MIN}`), NOW)).toEqual({ since: NOW - 60 * MIN });
  });
});

describe('contextParams and linkWith', () => {
  it('writes the trace query keys for carrying views, nothing for the others', () => {
    expect(contextParams('logs', { service: 'orders', since: NOW - 0.4 }, NOW)).toMatchObject({ service: 'orders', since: String(Math.floor(NOW - 0.4)) });
    expect(contextParams('flame', { service: 'orders', route: '/x' }, NOW)).toEqual({});
  });
  it('writes Metrics in its words: the smallest window that shows the start, from/to for a closed window', () => {
    expect(metricsWindowFor(NOW - 4 * MIN, NOW)).toBe('5m');
    expect(metricsWindowFor(NOW - 20 * MIN, NOW)).toBe('1h');
    expect(metricsWindowFor(NOW - 48 * 60 * MIN, NOW)).toBe('6h');
    const open = contextParams('metrics', { service: 's', since: NOW - 10 * MIN }, NOW);
    expect(open).toMatchObject({ service: 's', window: '15m', since: String(NOW - 10 * MIN) });
    const closed = contextParams('metrics', { since: NOW - 3 * MIN, until: NOW - MIN }, NOW);
    expect(closed).toMatchObject({ window: undefined, from: String(NOW - 3 * MIN), to: String(NOW - MIN), since: undefined, until: undefined });
  });
  it('round-trips through every carrying view, Metrics included', () => {
    const ctx = { service: 'orders', route: '/orders/:id', since: NOW - 20 * MIN, until: NOW - 5 * MIN };
    for (const view of ['traces', 'trace', 'errors', 'logs', 'queries', 'insights', 'metrics'] as const) {
      const r = parseHash(linkWith({ view, id: view === 'trace' ? 'abc' : undefined }, ctx, NOW));
      expect(r.view).toBe(view);
      expect(readContext(view, r.params, NOW)).toEqual(ctx);
    }
  });
  it("keeps the target's own params, and a target's own window whole", () => {
    expect(linkWith({ view: 'trace', id: 'abc', params: { span: '01' } }, { service: 'orders' }, NOW)).toBe('#/trace/abc?span=01&service=orders');
    expect(linkWith({ view: 'logs', params: { traceId: 't1', service: 'gateway' } }, { service: 'orders', since: 5 }, NOW)).toBe('#/logs?traceId=t1&service=gateway&since=5');
    // an incident's window replaces the context's (no until of the context on top of its since)
    expect(linkWith({ view: 'traces', params: { since: '100' } }, { since: 5, until: 50 }, NOW)).toBe('#/traces?since=100');
    expect(linkWith({ view: 'chaos' }, { service: 'orders' }, NOW)).toBe('#/chaos');
  });
  it('navLink gives each view the context in its own words', () => {
    expect(navLink('errors', { service: 'orders', since: 7 }, NOW)).toBe('#/errors?service=orders&since=7');
    expect(navLink('map', { service: 'orders', since: 7 }, NOW)).toBe('#/map');
  });
});

describe('replaceContext', () => {
  it("swaps the context and keeps the view's own params", () => {
    const p = new URLSearchParams('service=a&severity=warn&text=x&since=1');
    expect(replaceContext('logs', p, { service: 'b' }, NOW).toString()).toBe('severity=warn&text=x&service=b');
  });
  it('in Metrics drops from/to/window with the old window and the method with the old route', () => {
    const p = new URLSearchParams(`route=/a&method=GET&window=1h&from=1&to=2&sort=rate`);
    expect(replaceContext('metrics', p, { route: '/b', since: NOW - 2 * MIN }, NOW).toString()).toBe(`sort=rate&route=%2Fb&since=${NOW - 2 * MIN}`);
    expect(replaceContext('metrics', p, { route: '/a' }, NOW).toString()).toBe('method=GET&sort=rate&route=%2Fa');
  });
});

describe('what a view ignores', () => {
  it('names the set fields the view does not apply', () => {
    const ctx = { service: 'orders', route: '/x', status: 'error' as const, since: 1 };
    expect(ignoredFields('traces', ctx)).toEqual([]);
    expect(ignoredFields('logs', ctx)).toEqual(['route', 'status']);
    expect(ignoredFields('queries', ctx)).toEqual(['status', 'time']);
    expect(ignoredFields('trace', ctx)).toEqual(['service', 'route', 'status', 'time']);
    // the errors API has since but no until: a window with only an end is not applied
    expect(ignoredFields('errors', { until: 5 })).toEqual(['time']);
    // in Logs a trace id wins over service and window: the trace's logs of every service
    expect(ignoredFields('logs', ctx, new URLSearchParams('traceId=ab'))).toEqual(['service', 'route', 'status', 'time']);
    expect(ignoredFields('logs', ctx, new URLSearchParams('service=orders'))).toEqual(['route', 'status']);
  });
});

describe('helpers', () => {
  it('relativeWindow turns a picked range into an absolute since, and "" into none', () => {
    expect(relativeWindow('15m', NOW)).toEqual({ since: NOW - 15 * MIN, until: undefined });
    expect(relativeWindow('', NOW)).toEqual({ since: undefined, until: undefined });
    expect(relativeWindow('2d', NOW)).toBeUndefined();
  });
  it('routeMatches a template with or without a method', () => {
    expect(routeMatches('GET /orders/:id', '/orders/:id')).toBe(true);
    expect(routeMatches('/orders/:id', '/orders/:id')).toBe(true);
    expect(routeMatches('GET /orders/:id/items', '/orders/:id')).toBe(false);
    expect(routeMatches(undefined, '/x')).toBe(false);
    expect(routeMatches(undefined, undefined)).toBe(true);
  });
  it('overlapsWindow: ongoing, before, after', () => {
    expect(overlapsWindow({ since: 10, until: 20 }, 15, undefined)).toBe(true);
    expect(overlapsWindow({ since: 10 }, 1, 9)).toBe(false);
    expect(overlapsWindow({ until: 20 }, 21, 30)).toBe(false);
    expect(overlapsWindow({}, 1, 2)).toBe(true);
  });
});

describe('backToList', () => {
  it('returns to the remembered list when it shows the same context, or when none was carried', () => {
    expect(backToList('#/traces?status=error&sort=duration', { status: 'error' })).toBe('#/traces?status=error&sort=duration');
    expect(backToList('#/traces?reason=pinned', {})).toBe('#/traces?reason=pinned');
  });
  it("goes to the context's list when the trace came from elsewhere", () => {
    expect(backToList('#/traces', { service: 'orders', since: 5 })).toBe('#/traces?service=orders&since=5');
  });
});

describe('incidents in the context', () => {
  const inc = { scope: { kind: 'route', service: 'shop', route: 'GET /orders/:id' }, startedAt: NOW - 10 * MIN, endedAt: NOW - 5 * MIN };
  it('match by service, route and an overlapping window', () => {
    expect(incidentMatches(inc, {})).toBe(true);
    expect(incidentMatches(inc, { service: 'shop', route: '/orders/:id', since: NOW - 6 * MIN })).toBe(true);
    expect(incidentMatches(inc, { service: 'orders' })).toBe(false);
    expect(incidentMatches(inc, { route: '/other' })).toBe(false);
    expect(incidentMatches(inc, { since: NOW - 4 * MIN })).toBe(false);
    // a service-wide incident has no route: a route filter leaves it out
    expect(incidentMatches({ ...inc, scope: { kind: 'service', service: 'shop' } }, { route: '/orders/:id' })).toBe(false);
    // an incident of the gateway's route whose top suspect is in orders is one of orders too
    const caused = { ...inc, suspects: [{ service: 'orders' }, { service: 'billing' }] };
    expect(incidentMatches(caused, { service: 'orders' })).toBe(true);
    expect(incidentMatches(caused, { service: 'shop' })).toBe(true);
    expect(incidentMatches(caused, { service: 'billing' })).toBe(false);
    // ... and one that groups an anomaly of orders (a gateway incident it joined), ranked or not
    expect(incidentMatches({ ...inc, services: ['shop', 'orders'] }, { service: 'orders' })).toBe(true);
    expect(incidentMatches({ ...inc, services: ['shop'] }, { service: 'orders' })).toBe(false);
  });
  it('link to their traces: scope and window of the incident, the rest of the context kept', () => {
    expect(incidentTracesLink(inc, { status: 'error', since: 1, until: 2 })).toBe(`#/traces?service=shop&route=%2Forders%2F%3Aid&since=${NOW - 11 * MIN}&until=${NOW - 5 * MIN}&status=error`);
    expect(incidentTracesLink({ scope: { kind: 'dependency', service: 'shop' }, startedAt: 30_000 }, {})).toBe('#/traces?service=shop&since=0');
  });
});

describe('the Map', () => {
  it('picks the smallest map window that reaches back to the start, all stored past an hour', () => {
    expect(mapWindowFor({}, NOW)).toBeUndefined();
    expect(mapWindowFor({ until: NOW - MIN }, NOW)).toBeUndefined();
    expect(mapWindowFor({ since: NOW - 5 * MIN }, NOW)).toEqual({ minutes: 5, endIgnored: false });
    // a tenth of the window is slack: a bar window picked a moment ago still picks its own
    expect(mapWindowFor({ since: NOW - 5 * MIN - 20_000 }, NOW)).toEqual({ minutes: 5, endIgnored: false });
    expect(mapWindowFor({ since: NOW - 5 * MIN - 31_000 }, NOW)).toEqual({ minutes: 15, endIgnored: false });
    expect(mapWindowFor({ since: NOW - 66 * MIN }, NOW)).toEqual({ minutes: 60, endIgnored: false });
    expect(mapWindowFor({ since: NOW - 66 * MIN - 1 }, NOW)).toEqual({ minutes: 'all', endIgnored: false });
    expect(mapWindowFor({ since: NOW - 60 * MIN }, NOW)).toEqual({ minutes: 60, endIgnored: false });
    expect(mapWindowFor({ since: NOW - 6 * 60 * MIN }, NOW)).toEqual({ minutes: 'all', endIgnored: false });
    // a closed window: its start picks, its end is not applied (the map runs up to now)
    expect(mapWindowFor({ since: NOW - 40 * MIN, until: NOW - 30 * MIN }, NOW)).toEqual({ minutes: 60, endIgnored: true });
  });
  it("finds the service's node, not a database or external node of the same name", () => {
    const nodes = [{ id: 'db:orders', name: 'orders', kind: 'database' }, { id: 'svc:orders', name: 'orders', kind: 'service' }, { id: 'svc:shop', name: 'shop', kind: 'service' }];
    expect(mapNodeFor(nodes, 'orders')).toBe('svc:orders');
    expect(mapNodeFor(nodes, 'billing')).toBeUndefined();
    expect(mapNodeFor(nodes, undefined)).toBeUndefined();
  });
  it('applies service and a window start; route and status are named as not applied', () => {
    expect(ignoredFields('map', { service: 'orders', route: '/a', status: 'error', since: NOW - MIN })).toEqual(['route', 'status']);
    expect(ignoredFields('map', { until: NOW })).toEqual(['time']);
    // the context is still not in the map's hash (it keeps minutes in since)
    expect(navLink('map', { service: 'orders', since: NOW - MIN }, NOW)).toBe('#/map');
  });
});
