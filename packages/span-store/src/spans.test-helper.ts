/** Spans for the store's tests (not built: excluded like the tests). */
import type { SpanRecord, TraceSummary } from '@debugpanel/model';

let nextId = 1;
export const tid = (n: number): string => n.toString(16).padStart(32, '0');
export const sid = (): string => (nextId++).toString(16).padStart(16, '0');

export function span(traceId: string, over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId,
    spanId: sid(),
    name: 'work',
    kind: 'internal',
    service: 'api',
    startTime: 1000,
    duration: 10,
    status: { code: 'unset' },
    attributes: {},
    events: [],
    ...over,
  };
}

/** A server root span plus `children` child spans, all of one trace. */
export function trace(n: number, children = 0, rootOver: Partial<SpanRecord> = {}): SpanRecord[] {
  const root = span(tid(n), { kind: 'server', name: `GET /t${n}`, startTime: 1000 + n, duration: 20, ...rootOver });
  const out = [root];
  for (let i = 0; i < children; i++) {
    out.push(span(tid(n), { parentSpanId: root.spanId, startTime: root.startTime + i + 1, duration: 1, name: `child${i}` }));
  }
  return out;
}

export const ids = (r: { traces: TraceSummary[] }): string[] => r.traces.map((t) => t.traceId);
