import { describe, expect, it } from 'vitest';
import type { ErrorFrame } from '@debugpanel/model';
import { errorPath, errorsPath, frameLocation, recentCount, sparkline, visibleFrames } from './errors-data.js';

describe('errors-data', () => {
  it('passes only the known, non-empty filters to api/errors', () => {
    expect(errorsPath(new URLSearchParams(''))).toBe('api/errors');
    expect(errorsPath(new URLSearchParams('service=orders&route=&tab=x&source=log'))).toBe('api/errors?service=orders&source=log');
    expect(errorPath('0123456789abcdef')).toBe('api/errors/0123456789abcdef');
    // the shared window's start is applied, its end (no such API parameter) and junk are not
    expect(errorsPath(new URLSearchParams('service=orders&since=1700000000000&until=1700000060000&status=error'))).toBe('api/errors?service=orders&since=1700000000000');
    expect(errorsPath(new URLSearchParams('since=soon'))).toBe('api/errors');
  });

  it('draws a sparkline: zero on the bottom line, the tallest bucket at the top', () => {
    expect(sparkline([0, 2, 1], 20, 10)).toBe('0,10 10,0 20,5');
    expect(sparkline([0, 0], 10, 10)).toBe('0,10 10,10');
    expect(sparkline([3], 10, 10)).toBe('0,0 10,0');
    expect(sparkline([], 10, 10)).toBe('');
    expect(sparkline(new Array(60).fill(1), 120, 22).split(' ')).toHaveLength(60);
  });

  it('counts the newest minutes of a series', () => {
    expect(recentCount([1, 2, 3, 4], 2)).toBe(7);
    expect(recentCount([1, 2], 10)).toBe(3);
  });

  it('shows the first frame and the in-app ones, the rest on demand', () => {
    const f = (fn: string, inApp: boolean): ErrorFrame => ({ function: fn, module: 'm', inApp });
    const frames = [f('lib', false), f('app', true), f('express', false), f('app2', true)];
    expect(visibleFrames(frames, false).map((x) => x.function)).toEqual(['lib', 'app', 'app2']);
    expect(visibleFrames(frames, true)).toHaveLength(4);
    expect(visibleFrames(frames, false)[1]!.index).toBe(1);
  });

  it('names a frame by its last two path segments and line', () => {
    expect(frameLocation({ function: 'quote', module: 'src/pricing', file: 'file:///srv/app/src/pricing.ts', line: 40, column: 3, inApp: true })).toBe('src/pricing.ts:40:3');
    expect(frameLocation({ function: 'x', module: '<native>', inApp: false })).toBe('<native>');
  });
});
