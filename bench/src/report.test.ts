import { describe, expect, it } from 'vitest';
import { fmt, judge, markdown, measuredRow, missingRow } from './report.js';

const info = { node: 'v20', cpu: 'cpu', cores: 2, date: '2026-01-01T00:00:00Z', mode: 'quick' as const, only: null, seconds: 1 };

describe('judge', () => {
  it('judges an aim on the median of the ratio', () => {
    const aim = { on: 'ratio' as const, op: '>=' as const, value: 0.85, text: '≥ 0.85x' };
    const value = { median: 1000, min: 900, max: 1100, samples: 3 };
    expect(judge(aim, value, { median: 0.86, min: 0.7, max: 0.9, samples: 3 })).toBe(true);
    expect(judge(aim, value, { median: 0.84, min: 0.8, max: 0.99, samples: 3 })).toBe(false);
  });
  it('judges an aim on the median of the value', () => {
    const aim = { on: 'median' as const, op: '<' as const, value: 5, text: '< 5 ms' };
    expect(judge(aim, { median: 4.9, min: 1, max: 9, samples: 5 }, undefined)).toBe(true);
    expect(judge(aim, { median: 5, min: 1, max: 9, samples: 5 }, undefined)).toBe(false);
  });
  it('gives null without an aim and refuses a ratio aim without a ratio', () => {
    expect(judge(undefined, { median: 1, min: 1, max: 1, samples: 1 }, undefined)).toBeNull();
    expect(() => judge({ on: 'ratio', op: '>=', value: 1, text: 'x' }, { median: 1, min: 1, max: 1, samples: 1 }, undefined)).toThrow(/no/);
  });
});

describe('markdown', () => {
  it('prints a missed aim as missed and an unavailable row without a number', () => {
    const rows = [
      measuredRow({
        group: 'http',
        name: '/hello debugpanel',
        unit: 'req/s',
        value: { median: 8000, min: 7000, max: 9000, samples: 3 },
        ratio: { summary: { median: 0.8, min: 0.7, max: 0.9, samples: 3 }, to: 'plain' },
        aim: { on: 'ratio', op: '>=', value: 0.85, text: '≥ 0.85x plain' },
      }),
      missingRow('analysis', 'flame graph', 'ms', undefined, '@debugpanel/flamegraph has no buildTraceFlame'),
    ];
    const md = markdown(info, rows);
    expect(md).toContain('| http | /hello debugpanel | 8,000 req/s | 7,000 – 9,000 | 3 | 0.800x plain (0.700 – 0.900) | ≥ 0.85x plain | **no** |');
    expect(md).toContain('| analysis | flame graph | not available yet |');
    expect(md).not.toMatch(/NaN|undefined/);
  });
});

describe('fmt', () => {
  it('keeps about three significant digits', () => {
    expect(fmt(1234567)).toBe('1,234,567');
    expect(fmt(123.4)).toBe('123');
    expect(fmt(12.34)).toBe('12.3');
    expect(fmt(1.234)).toBe('1.23');
    expect(fmt(0.01234)).toBe('0.0123');
    expect(fmt(null)).toBe('—');
  });
});
