import type { RetentionClassStats, StoreStats } from '@debugpanel/model';
import { describe, expect, it } from 'vitest';
import { formatBackTo, reachSummary, retentionLines } from './retention.js';

const at = (h: number, m: number) => new Date(2026, 11, 4, h, m).getTime();
const none: RetentionClassStats = { traces: 0, spans: 0, evicted: 0 };
const retention: StoreStats['retention'] = {
  normal: { traces: 900, spans: 41_400, evicted: 12_000, oldestStartAt: at(13, 41) },
  exemplar: { traces: 300, spans: 13_800, evicted: 0, oldestStartAt: at(13, 10) },
  slow: none,
  error: { traces: 40, spans: 1_840, evicted: 0, oldestStartAt: at(13, 2) },
  linked: none,
  pinned: { traces: 0, spans: 0, evicted: 1 },
};

describe('retentionLines', () => {
  it('lists the classes that hold or lost traces, kept longest first', () => {
    const lines = retentionLines({ retention });
    expect(lines.map((l) => l.cls)).toEqual(['pinned', 'error', 'exemplar', 'normal']);
    expect(lines[1]).toEqual({ cls: 'error', label: 'errors', traces: 40, spans: 1840, evicted: 0, oldest: at(13, 2) });
    expect(retentionLines(undefined)).toEqual([]);
    expect(retentionLines({} as StoreStats)).toEqual([]);
  });

  it('says how far back each class reaches', () => {
    expect(reachSummary(retentionLines({ retention }), at(14, 0))).toBe('errors back to 13:02 · route exemplars back to 13:10 · normal traces back to 13:41');
    expect(formatBackTo(at(13, 2), at(14, 0) + 86_400_000)).toBe('Dec 4 13:02');
  });
});
