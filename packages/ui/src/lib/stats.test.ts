import { describe, expect, it } from 'vitest';
import { formatStat, statsSections } from './stats.js';

describe('statsSections', () => {
  it('puts scalars in an overview and each object, flattened, in its own section', () => {
    const s = statsSections({ version: '1.0', uptimeMs: 61_000, store: { spans: 1200, evicted: { traces: 3 } }, stream: { clients: 1 } });
    expect(s.map((x) => x.title)).toEqual(['overview', 'store', 'stream']);
    expect(s[0]!.rows).toEqual([
      ['version', '1.0'],
      ['uptimeMs', '1m 1s'],
    ]);
    expect(s[1]!.rows).toEqual([
      ['spans', '1,200'],
      ['evicted.traces', '3'],
    ]);
  });
  it('shows counters the UI has never heard of', () => {
    expect(statsSections({ sampling: { newCounter: 5 } })[0]!.rows).toEqual([['newCounter', '5']]);
  });
});

describe('formatStat', () => {
  it('formats by key suffix', () => {
    expect(formatStat('bytes', 2048)).toBe('2.0 KB');
    expect(formatStat('maxBytes', 500)).toBe('500 B');
    expect(formatStat('uptime', 3700)).toBe('1h 1m 40s');
    expect(formatStat('lagMs', 1.234)).toBe('1.23 ms');
    expect(formatStat('startedAt', Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02 03:04:05Z');
    expect(formatStat('ratio', 0.3333)).toBe('0.33');
    expect(formatStat('list', ['a', 'b'])).toBe('a, b');
    expect(formatStat('nothing', null)).toBe('–');
    expect(formatStat('on', true)).toBe('true');
  });
});
