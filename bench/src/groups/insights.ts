/**
 * Insights: what anomaly detection and root-cause ranking cost on the request path. Two
 * `debugPanel()` processes (dev defaults: every /hello trace kept, so insights digest all of them)
 * serve the same app, one with `insights: false`; measured alternately, round by round, against
 * each other. Insights work in their own unref'd 1 s tick (detection over the metrics rings, trace
 * digests): the aim is that /hello does not move by more than noise.
 */
import { startChild } from '../child.js';
import type { Context, Group } from '../context.js';
import { exported } from '../context.js';
import type { LoadResult } from '../load.js';
import { measuredRow, missingRow, type Aim, type Row } from '../report.js';
import { ratioSummary, summarize } from '../stats.js';

// The panel always wants a token; with one set, the server's `info` reads /api/stats with it.
const TOKEN = 'bench-insights-token-0123456789';
const AIM: Aim = { on: 'ratio', op: '>=', value: 0.95, text: '≥ 0.95x insights off' };

interface InsightsInfo {
  stats?: { insights?: { ticks?: number; digests?: number; evictedDigests?: number; droppedSpans?: number; lastTickMs?: number; series?: number } };
}

async function run(ctx: Context): Promise<Row[]> {
  const group = 'insights';
  const name = '/hello, insights on';
  if ((await exported('debugpanel', 'debugPanel')) === null) return [missingRow(group, name, 'req/s', AIM, 'debugpanel is not built')];
  const rounds = ctx.quick ? 4 : 10;
  const seconds = ctx.quick ? 0.75 : 2;
  const { child: load } = await startChild('load', 'load.js');
  const off = await startChild('insights-off', 'servers/debugpanel.js', { env: { NODE_ENV: 'development', DEBUGPANEL_TOKEN: TOKEN, BENCH_PANEL_OPTIONS: '{"insights":false}' } });
  const on = await startChild('insights-on', 'servers/debugpanel.js', { env: { NODE_ENV: 'development', DEBUGPANEL_TOKEN: TOKEN, BENCH_PANEL_OPTIONS: '{"insights":true}' } });
  try {
    const shoot = (port: unknown, s: number) => load.request<LoadResult>({ type: 'load', url: `http://127.0.0.1:${String(port)}/hello`, connections: 50, seconds: s });
    await shoot(off.ready.port, seconds);
    await shoot(on.ready.port, seconds);
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // alternate who goes first: bursts of other work on the machine hit both alike
      if (r % 2 === 0) {
        a.push((await shoot(off.ready.port, seconds)).rps);
        b.push((await shoot(on.ready.port, seconds)).rps);
      } else {
        b.push((await shoot(on.ready.port, seconds)).rps);
        a.push((await shoot(off.ready.port, seconds)).rps);
      }
    }
    const info = await on.child.request<InsightsInfo>({ type: 'info' });
    const s = info.stats?.insights;
    if (!s || !s.ticks) return [missingRow(group, name, 'req/s', AIM, 'insights did not tick during the run (no insights section in /api/stats)', 'failed')];
    ctx.log(`insights: off ${Math.round(summarize(a).median)} req/s, on ${Math.round(summarize(b).median)} req/s`);
    return [
      measuredRow({ group, name: '/hello, insights off', unit: 'req/s', value: summarize(a), note: 'debugPanel({ insights: false }), dev defaults' }),
      measuredRow({
        group, name, unit: 'req/s', value: summarize(b), ratio: { summary: ratioSummary(b, a), to: 'insights off' }, aim: AIM,
        note: `${s.ticks} ticks (last ${s.lastTickMs ?? 0} ms), ${s.series ?? 0} series, ${s.digests ?? 0} trace digests held (${s.evictedDigests ?? 0} evicted), ${s.droppedSpans ?? 0} spans dropped`,
      }),
    ];
  } finally {
    await Promise.allSettled([off.child.stop(), on.child.stop(), load.stop()]);
  }
}

export const insightsGroup: Group = {
  name: 'insights',
  about: '/hello with insights on vs off (detection and ranking stay off the request path)',
  run,
};
