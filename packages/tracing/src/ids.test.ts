import { describe, expect, it } from 'vitest';
import { newSpanId, newTraceId } from './ids.js';

describe('ids', () => {
  it('are lower-case hex of the W3C lengths, distinct across block refills', () => {
    const spans = new Set<string>();
    const traces = new Set<string>();
    // 5,000 of each crosses many 4 KiB blocks
    for (let i = 0; i < 5000; i++) {
      const s = newSpanId();
      const t = newTraceId();
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      spans.add(s);
      traces.add(t);
    }
    expect(spans.size).toBe(5000);
    expect(traces.size).toBe(5000);
  });

  it('use every hex digit in every position (the bytes are random, the table complete)', () => {
    const seen = Array.from({ length: 32 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) [...newTraceId()].forEach((c, p) => seen[p]!.add(c));
    expect(seen.every((s) => s.size === 16)).toBe(true);
  });
});
