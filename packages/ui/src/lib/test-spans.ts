/** Hand-made spans for the unit tests (not shipped: only tests import this file). */
import type { SpanRecord } from '@debugpanel/model';

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
