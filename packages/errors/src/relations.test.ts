import { describe, expect, it } from 'vitest';
import type { TraceOccurrence } from './groups.js';
import { relate } from './relations.js';

// gateway server (g1) -> gateway client (g2) -> orders server (o1) -> price.calculate (o2)
const spans = [
  { spanId: 'g1' },
  { spanId: 'g2', parentSpanId: 'g1' },
  { spanId: 'o1', parentSpanId: 'g2' },
  { spanId: 'o2', parentSpanId: 'o1' },
  { spanId: 'side', parentSpanId: 'g1' },
];

describe('relate', () => {
  const occ: Record<string, TraceOccurrence[]> = {
    t1: [
      { fingerprint: 'TYPE', spanId: 'o2', service: 'orders' },
      { fingerprint: 'HTTP502', spanId: 'g1', service: 'gateway' },
      { fingerprint: 'SIDE', spanId: 'side', service: 'gateway' },
      { fingerprint: 'LOGGED', service: 'orders' }, // no span: not related
    ],
    t2: [
      { fingerprint: 'TYPE', spanId: 'o2', service: 'orders' },
      { fingerprint: 'HTTP502', spanId: 'g1', service: 'gateway' },
    ],
    t3: [{ fingerprint: 'HTTP502', spanId: 'g1', service: 'gateway' }],
  };
  const traces = ['t1', 't2', 't3'].map((traceId) => ({ traceId, spans }));
  const inTrace = (id: string) => occ[id] ?? [];

  it('the deeper span\'s group caused the upper one; siblings are not related', () => {
    expect(relate('HTTP502', traces, inTrace)).toEqual({
      causedBy: [{ fingerprint: 'TYPE', traces: 2, traceId: 't1' }, { fingerprint: 'SIDE', traces: 1, traceId: 't1' }],
      causes: [],
    });
    // TYPE and SIDE are on sibling branches: neither caused the other
    expect(relate('TYPE', traces, inTrace)).toEqual({ causedBy: [], causes: [{ fingerprint: 'HTTP502', traces: 2, traceId: 't1' }] });
    expect(relate('SIDE', traces, inTrace)).toEqual({ causedBy: [], causes: [{ fingerprint: 'HTTP502', traces: 1, traceId: 't1' }] });
  });

  it('survives missing spans and parent cycles', () => {
    const cyclic = [{ spanId: 'a', parentSpanId: 'b' }, { spanId: 'b', parentSpanId: 'a' }];
    const o = { t: [{ fingerprint: 'A', spanId: 'a', service: 's' }, { fingerprint: 'B', spanId: 'zzz', service: 's' }] };
    expect(relate('A', [{ traceId: 't', spans: cyclic }], (id) => o[id as 't'] ?? [])).toEqual({ causedBy: [], causes: [] });
  });
});
