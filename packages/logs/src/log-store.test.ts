import { describe, expect, it } from 'vitest';
import type { LogRecord } from '@debugpanel/model';
import { LogStore, estimateLogBytes } from './log-store.js';

const T1 = '1'.repeat(32);
const T2 = '2'.repeat(32);
const S1 = 'a'.repeat(16);

function rec(body: string, over: Partial<LogRecord> = {}): LogRecord {
  return { service: 'orders', time: 1_000, severityNumber: 9, severityText: 'info', body, attributes: {}, source: 'console', ...over };
}

describe('LogStore budgets', () => {
  it('evicts the oldest records past maxRecords and counts them', () => {
    const store = new LogStore({ maxRecords: 3 });
    for (let i = 0; i < 5; i++) store.add(rec(`m${i}`));
    expect(store.query().logs.map((r) => r.body)).toEqual(['m4', 'm3', 'm2']);
    expect(store.stats()).toMatchObject({ records: 3, evicted: 2, maxRecords: 3 });
  });

  it('evicts by estimated bytes and refuses a record larger than the whole budget', () => {
    const one = estimateLogBytes(rec('x'.repeat(100)));
    const store = new LogStore({ maxBytes: one * 2 + 10 });
    store.add(rec('x'.repeat(100)));
    store.add(rec('y'.repeat(100)));
    store.add(rec('z'.repeat(100)));
    expect(store.size).toBe(2);
    expect(store.stats().bytes).toBe(one * 2);
    expect(store.add(rec('w'.repeat(one * 3)))).toBe(false);
    expect(store.stats().refused).toBe(1);
  });

  it('keeps the logs of kept traces when full, evicting those of dropped traces and of no trace first', () => {
    const kept = new Set([T1]);
    const store = new LogStore({ maxRecords: 4, isKept: (id) => kept.has(id) });
    store.add(rec('kept-1', { traceId: T1 }));
    store.add(rec('dropped-1', { traceId: T2 }));
    store.add(rec('kept-2', { traceId: T1 }));
    store.add(rec('no-trace'));
    for (let i = 0; i < 4; i++) store.add(rec(`new-${i}`));
    // 4 slots: the kept tier holds half (2): both kept records; the rest are the newest.
    expect(store.query().logs.map((r) => r.body)).toEqual(['new-3', 'new-2', 'kept-2', 'kept-1']);
    expect(store.stats()).toMatchObject({ records: 4, keptRecords: 2, evicted: 4 });
    expect(store.getTrace(T1).map((r) => r.body)).toEqual(['kept-1', 'kept-2']);
    expect(store.getTrace(T2)).toEqual([]);
    expect(store.stats().traces).toBe(1);
  });

  it('the kept tier is a FIFO of its own: when it is full its oldest goes', () => {
    const store = new LogStore({ maxRecords: 4, isKept: () => true });
    for (let i = 0; i < 10; i++) store.add(rec(`k${i}`, { traceId: T1 }));
    expect(store.query().logs.map((r) => r.body)).toEqual(['k9', 'k8', 'k7', 'k6']);
    expect(store.countTrace(T1)).toBe(4);
  });

  it('checks its options at creation', () => {
    expect(() => new LogStore({ maxRecord: 5 } as never)).toThrow(/did you mean "maxRecords"/);
    expect(() => new LogStore({ keptShare: 2 })).toThrow(/keptShare must be a number from 0 to 1/);
  });
});

describe('LogStore.query', () => {
  function filled(): LogStore {
    const store = new LogStore();
    store.add(rec('GET /orders started', { traceId: T1, spanId: S1, time: 1, severityNumber: 9 }));
    store.add(rec('payment declined', { traceId: T1, time: 2, severityNumber: 17, severityText: 'error', attributes: { 'user.id': 'u-7', amount: 30 } }));
    store.add(rec('cache warm', { service: 'gateway', time: 3, severityNumber: 5, attributes: { region: 'eu-West' } }));
    store.add(rec('stock low', { traceId: T2, service: 'inventory', time: 4, severityNumber: 13 }));
    return store;
  }

  it('filters by trace, span, service, severity (>=), time range and attribute', () => {
    const store = filled();
    const bodies = (q: Parameters<LogStore['query']>[0]) => store.query(q).logs.map((r) => r.body);
    expect(bodies({ traceId: T1 })).toEqual(['payment declined', 'GET /orders started']);
    expect(bodies({ traceId: T1, spanId: S1 })).toEqual(['GET /orders started']);
    expect(bodies({ service: 'inventory' })).toEqual(['stock low']);
    expect(bodies({ severity: 13 })).toEqual(['stock low', 'payment declined']);
    expect(bodies({ since: 2, until: 3 })).toEqual(['cache warm', 'payment declined']);
    expect(bodies({ attributes: { 'user.id': 'u-7' } })).toEqual(['payment declined']);
    expect(bodies({ attributes: { amount: '30' } })).toEqual(['payment declined']);
    expect(bodies({ attributes: { amount: '31' } })).toEqual([]);
    expect(bodies({ traceId: '3'.repeat(32) })).toEqual([]);
  });

  it('text is a case-insensitive substring of the body or a string attribute, regex characters taken literally', () => {
    const store = filled();
    store.add(rec('price (EUR) 1.5*2'));
    const bodies = (text: string) => store.query({ text }).logs.map((r) => r.body);
    expect(bodies('DECLINED')).toEqual(['payment declined']);
    expect(bodies('eu-west')).toEqual(['cache warm']);
    expect(bodies('(eur) 1.5*')).toEqual(['price (EUR) 1.5*2']);
    expect(bodies('.*')).toEqual([]);
  });

  it('pages newest first with a cursor, across the kept tier too', () => {
    const store = new LogStore({ maxRecords: 6, isKept: (id) => id === T1 });
    for (let i = 0; i < 3; i++) store.add(rec(`kept-${i}`, { traceId: T1 }));
    for (let i = 0; i < 6; i++) store.add(rec(`m-${i}`));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = store.query({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.logs.map((r) => r.body));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['m-5', 'm-4', 'm-3', 'kept-2', 'kept-1', 'kept-0']);
  });

  it('refuses a malformed cursor and a bad limit', () => {
    const store = filled();
    expect(() => store.query({ cursor: 'nope' })).toThrow(RangeError);
    expect(() => store.query({ limit: 0 })).toThrow(/limit must be an integer from 1 to 1000/);
  });

  it('lists services and clears', () => {
    const store = filled();
    expect(store.services()).toEqual(['gateway', 'inventory', 'orders']);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.query({ traceId: T1 }).logs).toEqual([]);
  });
});
