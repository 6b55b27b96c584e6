/**
 * Chaos: what a fault rule that matches nothing costs on the request path. Two `debugPanel({
 * chaos: true })` processes serve the same app; one holds a rule for another route (so the hooks
 * are wired and every request walks the rule's scope), the other none (each hook one check).
 * Measured alternately, round by round, against each other.
 */
import { startChild } from '../child.js';
import type { Context, Group } from '../context.js';
import { exported } from '../context.js';
import type { LoadResult } from '../load.js';
import { measuredRow, missingRow, type Aim, type Row } from '../report.js';
import { ratioSummary, summarize } from '../stats.js';

const AIM: Aim = { on: 'ratio', op: '>=', value: 0.98, text: '≥ 0.98x no rule' };
const RULE = JSON.stringify({ target: 'incoming', fault: { kind: 'error', status: 503 }, scope: { route: '/nowhere/:id' }, durationMs: 900_000 });

async function run(ctx: Context): Promise<Row[]> {
  const group = 'chaos';
  const name = '/hello with one non-matching rule';
  if ((await exported('debugpanel', 'debugPanel')) === null) return [missingRow(group, name, 'req/s', AIM, 'debugpanel is not built')];
  const rounds = ctx.quick ? 4 : 10;
  const seconds = ctx.quick ? 0.75 : 2;
  const env = { NODE_ENV: 'development', BENCH_PANEL_OPTIONS: '{"chaos":true}' };
  const { child: load } = await startChild('load', 'load.js');
  const none = await startChild('chaos-none', 'servers/debugpanel.js', { env });
  const rule = await startChild('chaos-rule', 'servers/debugpanel.js', { env: { ...env, BENCH_CHAOS_RULE: RULE } });
  try {
    const shoot = (port: unknown, s: number) => load.request<LoadResult>({ type: 'load', url: `http://127.0.0.1:${String(port)}/hello`, connections: 50, seconds: s });
    await shoot(none.ready.port, seconds);
    await shoot(rule.ready.port, seconds);
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // alternate who goes first: bursts of other work on the machine hit both alike
      if (r % 2 === 0) {
        a.push((await shoot(none.ready.port, seconds)).rps);
        b.push((await shoot(rule.ready.port, seconds)).rps);
      } else {
        b.push((await shoot(rule.ready.port, seconds)).rps);
        a.push((await shoot(none.ready.port, seconds)).rps);
      }
    }
    const info = await rule.child.request<{ stats?: { chaos?: { rules?: number; matched?: number } } }>({ type: 'info' });
    const held = info.stats?.chaos?.rules ?? 0;
    if (held !== 1) return [missingRow(group, name, 'req/s', AIM, `the rule was not active during the run (${held} rules held)`, 'failed')];
    ctx.log(`chaos: none ${Math.round(summarize(a).median)} req/s, one non-matching rule ${Math.round(summarize(b).median)} req/s`);
    return [
      measuredRow({ group, name: '/hello, chaos on, no rule', unit: 'req/s', value: summarize(a), note: 'each hook: one undefined check' }),
      measuredRow({ group, name, unit: 'req/s', value: summarize(b), ratio: { summary: ratioSummary(b, a), to: 'no rule' }, aim: AIM, note: `rule on /nowhere/:id; ${info.stats?.chaos?.matched ?? 0} calls matched it (none should)` }),
    ];
  } finally {
    await Promise.allSettled([none.child.stop(), rule.child.stop(), load.stop()]);
  }
}

export const chaosGroup: Group = {
  name: 'chaos',
  about: '/hello with one non-matching chaos rule vs none (the hook cost)',
  run,
};
