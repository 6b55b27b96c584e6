import { describe, expect, it } from 'vitest';
import type { LogRecord } from '@debugpanel/model';
import { attributeLine, groupLogsBySpan, severityClass, traceLogsPath } from './trace-logs.js';

const rec = (o: Partial<LogRecord>): LogRecord => ({ service: 'orders', time: 1000, severityNumber: 9, severityText: 'info', body: 'hi', attributes: {}, source: 'console', ...o });

describe('trace-logs', () => {
  it('asks the trace index for a whole trace (up to the page cap)', () => {
    expect(traceLogsPath('0af7651916cd43dd8448eb211c80319c')).toBe('api/logs?traceId=0af7651916cd43dd8448eb211c80319c&limit=1000');
  });

  it('groups records by span, oldest first, with the worst severity; records without a span are left out', () => {
    const { bySpan, worst } = groupLogsBySpan([
      rec({ spanId: 'a', time: 3, body: 'third', severityNumber: 17 }),
      rec({ spanId: 'b', time: 2, body: 'b only', severityNumber: 5 }),
      rec({ spanId: 'a', time: 1, body: 'first', severityNumber: 9 }),
      rec({ time: 0, body: 'no span', severityNumber: 21 }),
      rec({ spanId: 'a', time: 2, body: 'second', severityNumber: 13 }),
    ]);
    expect([...bySpan.keys()].sort()).toEqual(['a', 'b']);
    expect(bySpan.get('a')!.map((r) => r.body)).toEqual(['first', 'second', 'third']);
    expect(worst.get('a')).toBe(17);
    expect(worst.get('b')).toBe(5);
    expect(groupLogsBySpan([]).bySpan.size).toBe(0);
  });

  it('colours by OTel severity range: the six names at their range edges, none outside 1-24', () => {
    expect([1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24].map(severityClass)).toEqual([
      'sev-trace', 'sev-trace', 'sev-debug', 'sev-debug', 'sev-info', 'sev-info',
      'sev-warn', 'sev-warn', 'sev-error', 'sev-error', 'sev-fatal', 'sev-fatal',
    ]);
    expect([0, 25, -1, NaN].map(severityClass)).toEqual(['sev-none', 'sev-none', 'sev-none', 'sev-none']);
  });
});

describe('trace-logs: attribute line', () => {
  it('joins key=value pairs and cuts long ones', () => {
    expect(attributeLine({ 'user.id': 'u-1', n: 3, tags: ['a', 'b'] })).toBe('user.id=u-1 n=3 tags=["a","b"]');
    expect(attributeLine({})).toBe('');
    expect(attributeLine({ 'otel.scope.name': 'debugpanel/console', n: 1 })).toBe('n=1');
    const long = attributeLine({ a: 'x'.repeat(500) }, 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });
});
