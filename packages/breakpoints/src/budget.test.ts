import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, RateWindow, timerDelay } from './budget.js';

describe('RateWindow', () => {
  it('admits pauses and outputs up to their limits within one second, then says it is spent', () => {
    const w = new RateWindow(3, 2);
    expect(w.admitPause(1000)).toBe(true);
    expect(w.admitOutput()).toBe(true);
    expect(w.spent).toBe(false);
    expect(w.admitPause(1100)).toBe(true);
    expect(w.admitOutput()).toBe(true);
    expect(w.spent).toBe(true); // two outputs: the next pause would be wasted
    expect(w.admitOutput()).toBe(false);
    expect(w.endsAt).toBe(2000);
  });

  it('starts a new window a second after the first pause of the last one', () => {
    const w = new RateWindow(1, 10);
    expect(w.admitPause(0)).toBe(true);
    expect(w.admitPause(999)).toBe(false);
    expect(w.admitPause(1000)).toBe(true);
    w.reset();
    expect(w.admitPause(1001)).toBe(true);
  });
});

describe('timerDelay', () => {
  it('never exceeds what setTimeout takes without overflowing', () => {
    expect(timerDelay(5000, 1000)).toBe(4000);
    expect(timerDelay(500, 1000)).toBe(0);
    expect(timerDelay(2 ** 40, 0)).toBe(MAX_TIMER_MS);
    expect(MAX_TIMER_MS).toBe(2147483647);
  });
});
