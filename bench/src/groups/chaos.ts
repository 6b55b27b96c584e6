/**
 * Chaos: what a fault rule that matches nothing costs on the request path. One `debugPanel({
 * chaos: true })` process serves `/hello`; round by round (alternating which goes first) it runs
 * with no rule (each hook one check) and with a rule for another route (the hooks are wired and
 * every request walks the rule's prepared scope), set and deleted over the panel's own API.
 * A second row times the hook itself in-process.
 */
import { startChild } from '../child.js';
import type { Context, Group } from '../context.js';
import { exported } from '../context.js';
import type { LoadResult } from '../load.js';
import { measuredRow, missingRow, type Aim, type Row } from '../report.js';
import { ratioSummary, summarize } from '../stats.js';

const AIM: Aim = { on: 'ratio', op: '>=', value: 0.98, text: '≥ 0.98x no rule' };
const TOKEN = 'bench-chaos-token-0123456789abcdef';
const RULE = JSON.stringify({ target: 'incoming', fault: { kind: 'error', status: 503 }, scope: { route: '/nowhere/:id' }, durationMs: 900_000 });

async function run(ctx: Context): Promise<Row[]> {
  const group = 'chaos';
  const name = '/hello with one non-matching rule';
  if ((await exported('debugpanel', 'debugPanel')) === null) return [missingRow(group, name, 'req/s', AIM, 'debugpanel is not built')];
  const rounds = ctx.quick ? 4 : 10;
  const seconds = ctx.quick ? 0.75 : 2;
  // The panel always wants a token now: given, so that the rule can be set and the stats read.
  const env = { NODE_ENV: 'development', DEBUGPANEL_TOKEN: TOKEN, BENCH_PANEL_OPTIONS: '{"chaos":true}' };
  const { child: load } = await startChild('load', 'load.js');
  // One process, the rule set and deleted between rounds over the panel's API: the two variants
  // then share the JIT, the heap and the core placement, which two processes do not (on a loaded
  // 2-core machine that difference alone moved the ratio by ±10%).
  const server = await startChild('chaos', 'servers/debugpanel.js', { env });
  const rules = `http://127.0.0.1:${String(server.ready.port)}/_debug/api/chaos/rules`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const setRule = async (on: boolean): Promise<void> => {
    const res = on
      ? await fetch(rules, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: RULE })
      : await fetch(rules, { method: 'DELETE', headers: auth });
    if (!res.ok) throw new Error(`${on ? 'POST' : 'DELETE'} ${rules} answered ${res.status}: ${await res.text()}`);
    await res.body?.cancel();
  };
  let held = 0;
  let matched = 0;
  try {
    const shoot = async (s: number) => (await load.request<LoadResult>({ type: 'load', url: `http://127.0.0.1:${String(server.ready.port)}/hello`, connections: 50, seconds: s })).rps;
    const withRule = async (s: number): Promise<number> => {
      await setRule(true);
      const rps = await shoot(s);
      const info = await server.child.request<{ stats?: { chaos?: { rules?: number; matched?: number } } }>({ type: 'info' });
      held = Math.min(held || Infinity, info.stats?.chaos?.rules ?? 0);
      matched = info.stats?.chaos?.matched ?? 0;
      await setRule(false);
      return rps;
    };
    await shoot(seconds);
    await withRule(seconds);
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // alternate who goes first: bursts of other work on the machine hit both alike
      if (r % 2 === 0) {
        a.push(await shoot(seconds));
        b.push(await withRule(seconds));
      } else {
        b.push(await withRule(seconds));
        a.push(await shoot(seconds));
      }
    }
    if (held !== 1) return [missingRow(group, name, 'req/s', AIM, `the rule was not active during every run (${held} rules held)`, 'failed')];
    ctx.log(`chaos: none ${Math.round(summarize(a).median)} req/s, one non-matching rule ${Math.round(summarize(b).median)} req/s`);
    const hook = await hookCost(ctx.quick);
    const perRequestUs = 1e6 / summarize(a).median;
    return [
      ...(hook === null
        ? [missingRow(group, 'incoming hook, one non-matching rule', 'ns/request', undefined, '@debugpanel/chaos is not built')]
        : [
            measuredRow({
              group,
              name: 'incoming hook, one non-matching rule',
              unit: 'ns/request',
              value: summarize(hook),
              note: `in-process, what the middleware runs per request while a rule is active: ${((summarize(hook).median / 1000 / perRequestUs) * 100).toFixed(3)}% of a /hello request at ${Math.round(summarize(a).median)} req/s, i.e. an expected ${(1 / (1 + summarize(hook).median / 1000 / perRequestUs)).toFixed(4)}x`,
            }),
          ]),
      measuredRow({ group, name: '/hello, chaos on, no rule', unit: 'req/s', value: summarize(a), note: 'each hook: one undefined check' }),
      measuredRow({ group, name, unit: 'req/s', value: summarize(b), ratio: { summary: ratioSummary(b, a), to: 'no rule' }, aim: AIM, note: `same process, rule on /nowhere/:id set before and deleted after each of its rounds; ${matched} calls matched it (none should)` }),
    ];
  } finally {
    await Promise.allSettled([server.child.stop(), load.stop()]);
  }
}

interface HookEngine {
  add(rule: unknown): object;
  incoming(call: { method: string; path: string; headers: Record<string, string> }): unknown;
  close(): void;
}

/**
 * ns per request of the incoming hook with the bench's rule, in this process: the request-path
 * part of the panel's `applyIncomingFault` (path split, the engine's walk of its prepared rules).
 * The end-to-end ratio above is noisy on a shared machine; this says what the rule can cost at most.
 */
async function hookCost(quick: boolean): Promise<number[] | null> {
  const Engine = await exported<new (o: object) => HookEngine>('@debugpanel/chaos', 'ChaosEngine');
  if (Engine === null) return null;
  const engine = new Engine({ service: 'bench', timers: false });
  try {
    if (!('rule' in engine.add(JSON.parse(RULE)))) throw new Error('the bench rule was refused');
    const urls = ['/hello', '/hello?x=1', '/api/orders/17'];
    const headers = { host: '127.0.0.1', accept: '*/*' };
    const n = quick ? 200_000 : 1_000_000;
    let hits = 0;
    const out: number[] = [];
    for (let round = 0; round < (quick ? 3 : 7); round++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const url = urls[i % 3]!;
        const q = url.indexOf('?');
        if (engine.incoming({ method: 'GET', path: q < 0 ? url : url.slice(0, q), headers }) !== undefined) hits++;
      }
      out.push(Number(process.hrtime.bigint() - t0) / n);
    }
    if (hits !== 0) throw new Error(`the non-matching rule matched ${hits} calls`);
    return out.slice(1); // the first round warms up the JIT
  } finally {
    engine.close();
  }
}

export const chaosGroup: Group = {
  name: 'chaos',
  about: '/hello with one non-matching chaos rule vs none (the hook cost)',
  run,
};
