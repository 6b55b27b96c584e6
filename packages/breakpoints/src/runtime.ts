import { performance } from 'node:perf_hooks';
import type { RateWindow } from './budget.js';
import { evaluateOnFrame, truthy, type EvalFailure } from './evaluate.js';
import type { TemplatePart } from './expressions.js';
import { renderMessage } from './logpoint.js';
import { captureSnapshot, Scene, type CaptureTools } from './snapshot.js';
import type { PausedEvent } from './session.js';
import { activeSpan } from './trace-link.js';
import type { Breakpoint, LogEntry, Snapshot } from './types.js';

/** A breakpoint as the agent holds it. */
export interface Entry {
  bp: Breakpoint;
  parts?: TemplatePart[];
  v8Id?: string;
  window: RateWindow;
  /** Side-effect refusals and timeouts in a row; at UNSAFE_STREAK the breakpoint is disarmed. */
  unsafeStreak: number;
  expiryTimer?: NodeJS.Timeout;
  coolTimer?: NodeJS.Timeout;
}

/** Unsafe failures in a row (a refused side effect, a timeout) that disarm a breakpoint. */
export const UNSAFE_STREAK = 3;

export interface RuntimeStats {
  pauses: number;
  hits: number;
  conditionFalse: number;
  conditionErrors: number;
  handlerUs: number;
  handlerUsMax: number;
  errors: number;
}

/** What the pause handler asks of the agent. */
export interface RuntimeHost {
  tools: CaptureTools;
  stats: RuntimeStats;
  now(): number;
  entryOf(v8Id: string): Entry | undefined;
  /** Takes the breakpoint out of V8 until its rate window ends. */
  coolDown(e: Entry): void;
  /** Ends the breakpoint (out of V8, final state). */
  finish(e: Entry, state: 'hit' | 'expired'): void;
  /** Disarms it with state `error` and the reason. */
  fail(e: Entry, reason: string): void;
  addSnapshot(snap: Snapshot): void;
  addLog(e: Entry, message: string, time: number, ids: { traceId?: string; spanId?: string }): LogEntry;
  changed(): void;
}

/**
 * The `Debugger.paused` handler. It runs synchronously on the paused stack: conditions, watches and
 * message parts are evaluated there side-effect free with a time limit (V8 is never given a
 * condition to evaluate on its own: it would run it with side effects allowed), the snapshot or
 * message is made, budgets are counted, and a breakpoint whose budget is spent leaves V8 before
 * the pause ends. Then V8 resumes, whatever happened.
 */
export function createPauseHandler(host: RuntimeHost): (p: PausedEvent) => void {
  const { tools, stats } = host;
  let groupSeq = 0;

  function unsafe(e: Entry, what: string, failure: EvalFailure, error: string): void {
    if (++e.unsafeStreak < UNSAFE_STREAK) return;
    const why = failure === 'timeout' ? error : 'was refused: it may have side effects';
    host.fail(e, `disarmed: ${what} ${why} ${UNSAFE_STREAK} times in a row`);
  }

  function hit(e: Entry, scene: Scene, t0: number): void {
    const bp = e.bp;
    if (bp.condition) {
      const r = evaluateOnFrame(tools.session, scene.frames[0]!.callFrameId, bp.condition, scene.group, tools.evalTimeoutMs);
      if ('error' in r) {
        // A condition that fails counts as false; it is shown, and disarms only when unsafe.
        stats.conditionErrors++;
        bp.conditionErrors = (bp.conditionErrors ?? 0) + 1;
        bp.lastConditionError = r.error;
        if (r.failure === 'threw') e.unsafeStreak = 0;
        else unsafe(e, 'the condition', r.failure, r.error);
        return;
      }
      e.unsafeStreak = 0;
      if (!truthy(r.result)) {
        stats.conditionFalse++;
        return;
      }
    }
    if (!e.window.admitOutput()) return;
    const now = host.now();
    if (bp.kind === 'snapshot') {
      host.addSnapshot(captureSnapshot(tools, bp, scene, t0));
    } else {
      const { message, unsafe: failed } = renderMessage(tools, scene, e.parts ?? []);
      host.addLog(e, message, now, activeSpan());
      if (failed) unsafe(e, 'a message part', failed.failure, failed.error);
      else if (!bp.condition) e.unsafeStreak = 0;
      if (bp.state !== 'active') return;
    }
    bp.hits++;
    stats.hits++;
    if (bp.maxHits !== null && bp.hits >= bp.maxHits) host.finish(e, 'hit');
  }

  return (p) => {
    const t0 = performance.now();
    let group: string | undefined;
    let ours = false;
    try {
      for (const id of p.hitBreakpoints ?? []) {
        const e = host.entryOf(id);
        if (!e || e.bp.state !== 'active') continue;
        ours = true;
        stats.pauses++;
        const now = host.now();
        if (now >= e.bp.expiresAt) {
          host.finish(e, 'expired');
          continue;
        }
        if (!e.window.admitPause(now)) {
          host.coolDown(e);
          continue;
        }
        group ??= `debugpanel-${++groupSeq}`;
        try {
          hit(e, new Scene(tools, p.callFrames, group), t0);
        } catch {
          stats.errors++;
        }
        if (e.bp.state === 'active' && e.v8Id && e.window.spent) host.coolDown(e);
        host.changed();
      }
    } catch {
      stats.errors++;
    } finally {
      try {
        if (group) tools.session.post('Runtime.releaseObjectGroup', { objectGroup: group });
      } catch {
        stats.errors++;
      }
      // Pauses that are not ours (a `debugger;` statement while enabled) must not stall the app either.
      try {
        tools.session.post('Debugger.resume');
      } catch {
        stats.errors++;
      }
      if (ours) {
        const us = (performance.now() - t0) * 1000;
        stats.handlerUs += us;
        if (us > stats.handlerUsMax) stats.handlerUsMax = us;
      }
    }
  };
}
