/**
 * What one breakpoint may spend in a one-second window: pauses (every run of its line pauses V8,
 * whatever the condition then says) and outputs (snapshots or logpoint messages). The pause
 * handler asks before it works and, once a budget is spent, takes the breakpoint out of V8 at once,
 * from inside the pause: a line in a synchronous loop would otherwise pause on every run until
 * the loop ends, since nothing else gets to run before then.
 */
export class RateWindow {
  private start = -Infinity;
  private pauses = 0;
  private outputs = 0;

  constructor(
    private readonly maxPauses: number,
    private readonly maxOutputs: number,
  ) {}

  /** Counts a pause at `now`; false when the window's pause budget was already spent. */
  admitPause(now: number): boolean {
    if (now - this.start >= 1000) {
      this.start = now;
      this.pauses = 0;
      this.outputs = 0;
    }
    if (this.pauses >= this.maxPauses) return false;
    this.pauses++;
    return true;
  }

  /** Counts an output; false when the window's output budget was already spent. */
  admitOutput(): boolean {
    if (this.outputs >= this.maxOutputs) return false;
    this.outputs++;
    return true;
  }

  /** True when the next pause or output of this window would be refused: time to leave V8. */
  get spent(): boolean {
    return this.pauses >= this.maxPauses || this.outputs >= this.maxOutputs;
  }

  /** When the current window ends. */
  get endsAt(): number {
    return this.start + 1000;
  }

  /** Starts afresh (after a cool-down the breakpoint comes back with a whole budget). */
  reset(): void {
    this.start = -Infinity;
    this.pauses = 0;
    this.outputs = 0;
  }
}

/** The longest delay setTimeout takes; a longer one fires at once (Node clamps it to 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Delay for a timer that must fire at `at`: at most MAX_TIMER_MS, so a far `expiresAt` is waited
 * for in steps (the callback checks the time and schedules the next step) instead of overflowing.
 *
 * @example
 * timerDelay(Date.now() + 2 ** 32, Date.now()); // 2147483647
 */
export function timerDelay(at: number, now: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, at - now));
}
