import { describe, expect, it } from 'vitest';
import type { TraceFinding } from '@debugpanel/model';
import { findingMarks, formatShare, sparklinePoints, linkedQueryRow, queryRowKey } from './findings.js';

const finding = (over: Partial<TraceFinding>): TraceFinding => ({
  kind: 'n+1', rootSpanId: 'r', route: 'GET /x', service: 's', spanIds: ['a', 'b', 'c', 'd', 'e'], count: 5, totalMs: 60, savingMs: 48, share: 0.5, parallel: false, summary: 'src/x.ts:3 runs 5 × "select ?"', ...over,
});

describe('findingMarks', () => {
  it('marks every span of a finding with a badge and the cost', () => {
    const marks = findingMarks([finding({}), finding({ kind: 'slow-query', spanIds: ['z'], count: 1, totalMs: 104, savingMs: 0, share: 0.9, summary: 'slow' })]);
    expect(marks.size).toBe(6);
    expect(marks.get('a')).toMatchObject({ kind: 'n+1', badge: 'N+1 ×5' });
    expect(marks.get('a')!.title).toContain('60');
    expect(marks.get('a')!.title).toContain('50% of the request, could save');
    expect(marks.get('z')!.badge).toMatch(/^slow 10[0-9]/);
  });

  it('keeps the first finding of a span and copes with none', () => {
    const marks = findingMarks([finding({}), finding({ kind: 'consecutive', spanIds: ['a'] })]);
    expect(marks.get('a')!.kind).toBe('n+1');
    expect(findingMarks(undefined).size).toBe(0);
  });
});

describe('sparklinePoints', () => {
  it('scales to the box, flat for zeros, empty for no values', () => {
    expect(sparklinePoints([0, 5, 10], 20, 10)).toBe('0.0,9.0 10.0,5.0 20.0,1.0');
    expect(sparklinePoints([0, 0], 20, 10)).toBe('0.0,9.0 20.0,9.0');
    expect(sparklinePoints([], 20, 10)).toBe('');
  });
});

describe('formatShare', () => {
  it('rounds to percent, with <1% for tiny shares', () => {
    expect(formatShare(0.384)).toBe('38%');
    expect(formatShare(0.001)).toBe('<1%');
    expect(formatShare(0)).toBe('0%');
  });
});

describe('linkedQueryRow', () => {
  const rows = [
    { fingerprint: 'aa', service: 'shop' },
    { fingerprint: 'bb', service: 'shop' },
    { fingerprint: 'bb', service: 'orders' },
  ];
  it("opens the fingerprint's row, the context service's when it ran in several", () => {
    expect(linkedQueryRow(rows, 'bb')).toBe(rows[1]);
    expect(linkedQueryRow(rows, 'bb', 'orders')).toBe(rows[2]);
    // a service that did not run it: the first row that did
    expect(linkedQueryRow(rows, 'bb', 'billing')).toBe(rows[1]);
    expect(queryRowKey(rows[2]!)).toBe('bb/orders');
  });
  it('finds nothing for an unknown or absent fingerprint', () => {
    expect(linkedQueryRow(rows, 'cc')).toBeUndefined();
    expect(linkedQueryRow(rows, undefined)).toBeUndefined();
    expect(linkedQueryRow([], 'aa')).toBeUndefined();
  });
});
