/** Hand-made spans and trace summaries for the unit tests (not shipped: only tests import this file). */
import type { SpanRecord, TraceSummary } from '@debugpanel/model';

export const TRACE = 'a'.repeat(32);

export function span(id: string, parent: string | undefined, start: number, duration: number, extra: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: TRACE,
    spanId: id.padStart(16, '0'),
    parentSpanId: parent === undefined ? undefined : parent.padStart(16, '0'),
    name: `op-${id}`,
    kind: 'internal',
    service: 'svc',
    startTime: 1000 + start,
    duration,
    status: { code: 'unset' },
    attributes: {},
    events: [],
    ...extra,
  };
}

export const sid = (id: string) => id.padStart(16, '0');

/** Summary of trace `n` (its id and start time are `n`; duration `n % 100`). */
export function summary(n: number, extra: Partial<TraceSummary> = {}): TraceSummary {
  return {
    traceId: String(n).padStart(32, '0'),
    rootName: 'GET /orders/:id',
    rootService: 'orders',
    services: ['orders'],
    startTime: n,
    duration: n % 100,
    spanCount: 3,
    errorCount: 0,
    ...extra,
  };
}
