import type { SpanRecord } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { span, tid } from './spans.test-helper.js';
import { SLOT_BYTES, TRACE_BYTES, TraceEntry, summarize } from './trace-entry.js';

function entryOf(spans: SpanRecord[]): TraceEntry {
  const e = new TraceEntry(7, spans[0]!, 100);
  for (const s of spans.slice(1)) {
    e.widen(s.startTime, s.startTime + s.duration);
    if (s.startTime < e.last().startTime) e.sorted = false;
    e.push(s);
  }
  return e;
}

describe('TraceEntry', () => {
  it('holds one span without arrays, its times read from the span', () => {
    const root = span(tid(1), { kind: 'server', startTime: 5, duration: 3 });
    const e = entryOf([root]);
    expect(e.many).toBeUndefined();
    expect(e.spans()).toEqual([root]);
    expect([e.startTime, e.endTime, e.count, e.bytes]).toEqual([5, 8, 1, TRACE_BYTES + 100]);
    expect(SLOT_BYTES).toBeGreaterThan(0);
  });

  it('grows its span array by half and widens its time range', () => {
    const root = span(tid(2), { startTime: 10, duration: 5 });
    const spans = [root, ...Array.from({ length: 9 }, (_, i) => span(tid(2), { startTime: 20 + i, duration: 1, parentSpanId: root.spanId }))];
    const e = entryOf(spans);
    expect(e.count).toBe(10);
    expect(e.many!.length).toBe(13); // 2, 3, 4, 6, 9, 13
    expect(e.spans()).toEqual(spans);
    expect([e.startTime, e.endTime]).toEqual([10, 29]);
  });

  it('sorts out-of-order spans by start time and asks for the filter to be redone', () => {
    const a = span(tid(3), { startTime: 30 });
    const b = span(tid(3), { startTime: 10 });
    const e = entryOf([a, b]);
    e.filtered = 1;
    expect(e.sorted).toBe(false);
    e.sortSpans();
    expect(e.spans()).toEqual([b, a]);
    expect(e.filtered).toBe(0);
  });

  it('knows its services and answers someSpan over every span', () => {
    const e = entryOf([span(tid(4), { service: 'a' }), span(tid(4), { service: 'b', name: 'x' })]);
    e.moreServices = ['b'];
    expect(e.hasService('b')).toBe(true);
    expect(e.hasService('c')).toBe(false);
    expect(e.services()).toEqual(['a', 'b']);
    expect(e.someSpan((s) => s.name === 'x')).toBe(true);
    expect(e.someSpan((s) => s.name === 'y')).toBe(false);
  });

  it('summarizes from its root: route, status, reason and pin (a pinned trace says it is kept because pinned)', () => {
    const root = span(tid(5), { kind: 'server', name: 'GET /r', startTime: 1, duration: 4, attributes: { 'http.route': '/r', 'http.response.status_code': 503 } });
    const e = entryOf([root]);
    e.reason = 'error';
    e.pinned = true;
    expect(summarize(e)).toEqual({
      traceId: tid(5), rootName: 'GET /r', rootService: 'api', services: ['api'], startTime: 1, duration: 4,
      spanCount: 1, errorCount: 1, route: '/r', httpStatus: 503, reason: 'pinned', pinned: true,
    });
    e.pinned = false;
    expect(summarize(e).reason).toBe('error');
  });
});
