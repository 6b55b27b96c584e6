import { describe, expect, it } from 'vitest';
import type { TraceSummary } from '@debugpanel/model';
import { expectWire, wireMismatches } from './wire-check.js';

const summary: TraceSummary = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  rootName: 'GET /orders/:id',
  rootService: 'gateway',
  services: ['gateway'],
  startTime: 1,
  duration: 2,
  spanCount: 3,
  errorCount: 0,
};

describe('wireMismatches', () => {
  it('accepts a value of the type, optional fields left out or present', () => {
    expect(wireMismatches({ traces: [summary] }, 'TracesResponse')).toEqual([]);
    expect(wireMismatches({ traces: [{ ...summary, route: '/x', pinned: true }], nextCursor: 'c' }, 'TracesResponse')).toEqual([]);
  });
  it('names a field the type lacks', () => {
    expect(wireMismatches({ traces: [{ ...summary, colour: 'red' }] }, 'TracesResponse')).toEqual(['traces[0]: colour is not a field of TraceSummary']);
  });
  it('names a missing required field', () => {
    const { rootName: _, ...rest } = summary;
    expect(wireMismatches({ traces: [rest] }, 'TracesResponse')).toEqual(['traces[0]: rootName is missing (required by TraceSummary)']);
  });
  it('names a field of the wrong kind, and a value outside a union of literals', () => {
    expect(wireMismatches({ traces: [{ ...summary, duration: '2' }] }, 'TracesResponse')).toEqual(['traces[0].duration: expected number, got "2"']);
    expect(wireMismatches({ traceId: 'x', pinned: 'yes' }, 'PinResponse')).toEqual(['pinned: expected boolean, got "yes"']);
    expect(wireMismatches({ kind: 'sideways', window: 300, rows: [] }, 'MetricsTableResponse')).toEqual([
      'kind: expected SeriesKind, got "sideways"',
    ]);
  });
  it('checks records, nullable array members and generic flat trees', () => {
    expect(wireMismatches({ traceId: 't', segments: [], bySpan: { a: 1, b: 'x' } }, 'CriticalPathResponse')).toEqual(['bySpan.b: expected number, got "x"']);
    const root = { name: 'r', service: 's', total: 1, self: 1, parent: -1 };
    expect(wireMismatches({ traceId: 't', flame: [root] }, 'TraceFlameResponse')).toEqual([]);
    expect(wireMismatches({ traceId: 't', flame: [{ ...root, children: [] }] }, 'TraceFlameResponse')).toEqual([
      'flame[0]: children is not a field of Flat<FlameNode>',
    ]);
  });
  it('refuses a type the model does not export, and throws with every mismatch', () => {
    expect(() => wireMismatches({}, 'NoSuchResponse')).toThrow(/exports no type "NoSuchResponse"/);
    expect(() => expectWire({ traces: [{}] }, 'TracesResponse')).toThrow(/not a TracesResponse:[^]*traceId is missing[^]*errorCount is missing/);
  });
});
