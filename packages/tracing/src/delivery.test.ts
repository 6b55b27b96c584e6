import { describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { SpanRecord } from '@debugpanel/model';
import { outsideTraces } from './processor.js';
import { setupTracing } from './setup.js';

const fakeReq = (url: string) => ({ method: 'GET', url, headers: {}, httpVersion: '1.1', socket: {} }) as never;

interface Seen {
  name: string;
  active: string | undefined;
  suppressed: boolean;
}

describe('where onSpan runs', () => {
  it('by default outside the trace, with tracing suppressed; with onSpanIsQueue directly, and outsideTraces() gives that context', async () => {
    const seen: Record<string, Seen[]> = { normal: [], queue: [] };
    const observe = (into: Seen[]) => (s: SpanRecord) =>
      into.push({ name: s.name, active: trace.getActiveSpan()?.spanContext().spanId, suppressed: isTracingSuppressed(context.active()) });
    const normal = setupTracing({ service: 'normal', onSpan: observe(seen.normal!), instrument: false });
    const queue = setupTracing({ service: 'queue', onSpan: observe(seen.queue!), onSpanIsQueue: true, instrument: false });
    try {
      for (const handle of [normal, queue]) {
        const s = handle.startServerSpan(fakeReq('/x'));
        s.run(() => trace.getTracer('app').startActiveSpan('inner', (span) => span.end()));
        s.end(200);
      }
      expect(seen.normal).toEqual([
        { name: 'inner', active: undefined, suppressed: true },
        { name: 'GET /x', active: undefined, suppressed: true },
      ]);
      // Called right where the span ended: inside the server span for the inner one.
      expect(seen.queue!.map((x) => [x.name, x.active !== undefined, x.suppressed])).toEqual([
        ['inner', true, false],
        ['GET /x', false, false],
      ]);
      const inside = queue.startServerSpan(fakeReq('/y'));
      inside.run(() => {
        expect(trace.getActiveSpan()).toBe(inside.span);
        outsideTraces(() => {
          expect(trace.getActiveSpan()).toBeUndefined();
          expect(isTracingSuppressed(context.active())).toBe(true);
        });
      });
      inside.end(200);
      expect(() => setupTracing({ service: 'bad', onSpan: () => {}, onSpanIsQueue: 'yes' as never })).toThrow(/onSpanIsQueue/);
    } finally {
      await normal.shutdown();
      await queue.shutdown();
    }
  });
});
