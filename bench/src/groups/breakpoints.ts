/**
 * Breakpoint rows: Debugger.enable, cost per hit (logpoint, snapshot, a false condition), cost on
 * unrelated code, and what the rate limits leave of a loop (yielding with a logpoint or a snapshot
 * breakpoint, synchronous with a logpoint past its budget).
 */
import { runWorker } from '../child.js';
import type { Context, Group } from '../context.js';
import { measuredRow, missingRow, type Aim, type Row } from '../report.js';
import { ratioSummary, summarize } from '../stats.js';

const UNRELATED_AIM: Aim = { on: 'ratio', op: '<=', value: 1.05, text: '≤ 1.05x disarmed' };
const HOT_LOGPOINT_AIM: Aim = { on: 'ratio', op: '>=', value: 0.8, text: '≥ 0.80x without' };
const SNAPSHOT_RATE_AIM: Aim = { on: 'ratio', op: '>=', value: 0.8, text: '≥ 0.80x without' };
const ORDER_PAUSE_AIM: Aim = { on: 'median', op: '<=', value: 5, text: '≤ 5 ms' };
const SYNC_LOGPOINT_AIM: Aim = { on: 'ratio', op: '>=', value: 0.5, text: '≥ 0.50x without' };
const NAMES = {
  enable: 'breakpoints: Debugger.enable (loop blocked)',
  logpoint: 'breakpoints: logpoint cost per hit',
  snapshot: 'breakpoints: snapshot cost per hit',
  orderPause: 'breakpoints: pause per snapshot on a POST /orders handler (default limits)',
  unrelated: 'breakpoints: unrelated code while one is armed',
  hot: 'breakpoints: loop with a logpoint hit 1,000/s (50/s limit)',
  condition: 'breakpoints: run of a line whose condition is false',
  snapRate: 'breakpoints: loop with a snapshot breakpoint hit 1,000/s (maxHits 1,000,000)',
  sync: 'breakpoints: synchronous loop over a logpoint past its budget',
};

interface Result {
  missing?: string;
  enableMs: number[];
  offNs: number[];
  armedNs: number[];
  logpointUs: number[];
  snapshotMs: number[];
  orderCaptureMs: number[];
  orderColdMs: number | null;
  orderBytes: number;
  conditionUs: number[];
  plainRate: number[];
  loggedRate: number[];
  snapPlain: number[];
  snapRate: number[];
  syncPlain: number[];
  syncLogged: number[];
  scripts: number;
  coolDowns: number;
}

async function run(ctx: Context): Promise<Row[]> {
  const group = 'breakpoints';
  const res = await runWorker<Result>('breakpoints', 'workers/breakpoints.js', { rounds: ctx.quick ? 2 : 6 });
  if (res.missing) {
    return [
      missingRow(group, NAMES.enable, 'ms', undefined, res.missing),
      missingRow(group, NAMES.logpoint, 'µs', undefined, res.missing),
      missingRow(group, NAMES.snapshot, 'ms', undefined, res.missing),
      missingRow(group, NAMES.orderPause, 'ms', ORDER_PAUSE_AIM, res.missing),
      missingRow(group, NAMES.unrelated, 'ns/call', UNRELATED_AIM, res.missing),
      missingRow(group, NAMES.hot, 'work/s', HOT_LOGPOINT_AIM, res.missing),
      missingRow(group, NAMES.condition, 'µs', undefined, res.missing),
      missingRow(group, NAMES.snapRate, 'work/s', SNAPSHOT_RATE_AIM, res.missing),
      missingRow(group, NAMES.sync, 'calls/s', SYNC_LOGPOINT_AIM, res.missing),
    ];
  }
  return [
    res.enableMs.length
      ? measuredRow({ group, name: NAMES.enable, unit: 'ms', value: summarize(res.enableMs), note: `the agent's own measure; ${res.scripts} scripts loaded (express + debugpanel)` })
      : missingRow(group, NAMES.enable, 'ms', undefined, 'the agent reported no enableMs', 'failed'),
    measuredRow({ group, name: NAMES.logpoint, unit: 'µs', value: summarize(res.logpointUs), note: '200 hits per round, rate limit lifted; includes V8 pause and resume' }),
    measuredRow({ group, name: NAMES.snapshot, unit: 'ms', value: summarize(res.snapshotMs), note: 'one capture of stack and locals (default limits)' }),
    res.orderCaptureMs.length
      ? measuredRow({
          group,
          name: NAMES.orderPause,
          unit: 'ms',
          value: summarize(res.orderCaptureMs),
          aim: ORDER_PAUSE_AIM,
          note: `the agent's captureUs: how long the paused thread waited, from the pause handler's start to the end of the capture; an Express handler shaped like the demo's (real req/res, body, module scope); ${(res.orderBytes / 1024).toFixed(1)} KB captured; the process's first capture (cold) ${res.orderColdMs?.toFixed(1)} ms, not in the figure`,
        })
      : missingRow(group, NAMES.orderPause, 'ms', ORDER_PAUSE_AIM, 'this version of the worker has no order handler', 'failed'),
    measuredRow({
      group,
      name: NAMES.unrelated,
      unit: 'ns/call',
      value: summarize(res.armedNs),
      ratio: { summary: ratioSummary(res.armedNs, res.offNs), to: 'disarmed' },
      aim: UNRELATED_AIM,
      note: 'a small loop function elsewhere while a logpoint is armed, against no breakpoint, paired by round',
    }),
    measuredRow({
      group,
      name: NAMES.hot,
      unit: 'work/s',
      value: summarize(res.loggedRate),
      ratio: { summary: ratioSummary(res.loggedRate, res.plainRate), to: 'without' },
      aim: HOT_LOGPOINT_AIM,
      note: `work units per second over 1 s per round, the logpoint line run once per 1 ms slice; ${res.coolDowns} cool-downs`,
    }),
    measuredRow({
      group,
      name: NAMES.condition,
      unit: 'µs',
      value: summarize(res.conditionUs),
      note: 'a snapshot breakpoint with `i < 0`, 200 runs per round, limits lifted: the V8 pause and the side-effect-free evaluation',
    }),
    measuredRow({
      group,
      name: NAMES.snapRate,
      unit: 'work/s',
      value: summarize(res.snapRate),
      ratio: { summary: ratioSummary(res.snapRate, res.snapPlain), to: 'without' },
      aim: SNAPSHOT_RATE_AIM,
      note: 'the yielding loop above with a snapshot breakpoint instead of a logpoint, default snapshot rate limit',
    }),
    measuredRow({
      group,
      name: NAMES.sync,
      unit: 'calls/s',
      value: summarize(res.syncLogged),
      ratio: { summary: ratioSummary(res.syncLogged, res.syncPlain), to: 'without' },
      aim: SYNC_LOGPOINT_AIM,
      note: 'calls of the logpoint line per second in a loop that never yields for 1 s, default 50/s limit; without = no breakpoint',
    }),
  ];
}

export const breakpointsGroup: Group = {
  name: 'breakpoints',
  about: 'live breakpoints: Debugger.enable, cost per hit, cost on unrelated code, hot lines under the rate limits',
  run,
};
