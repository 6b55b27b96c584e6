import { describe, expect, it } from 'vitest';
import { formatBreakpointsHash, parseBreakpointsHash } from './breakpoints-hash.js';

describe('breakpoints hash', () => {
  it('round-trips file, line, filter and snapshot', () => {
    const loc = { file: 'src/a b.ts', line: 12, q: 'ord', snapshot: 's/1' };
    const hash = formatBreakpointsHash(loc);
    expect(hash).toBe('#/breakpoints/snapshot/s%2F1?file=src%2Fa+b.ts&line=12&q=ord');
    expect(parseBreakpointsHash(hash)).toEqual(loc);
  });
  it('leaves out what is not set, and a line without a file', () => {
    expect(formatBreakpointsHash({})).toBe('#/breakpoints');
    expect(formatBreakpointsHash({ line: 4 })).toBe('#/breakpoints');
  });
  it('ignores bad lines and unknown segments', () => {
    expect(parseBreakpointsHash('#/breakpoints?file=x.ts&line=-2')).toEqual({ file: 'x.ts' });
    expect(parseBreakpointsHash('#/breakpoints?line=1.5')).toEqual({});
    expect(parseBreakpointsHash('#/breakpoints/other/1')).toEqual({});
    expect(parseBreakpointsHash('#/breakpoints/snapshot/%E0%A4%A')).toEqual({ snapshot: '%E0%A4%A' });
  });
});
