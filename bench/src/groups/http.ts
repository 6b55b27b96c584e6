/**
 * Request overhead: each contender serves the same Express 5 app in its own process; autocannon
 * loads it from another process. Contenders are measured one after another within a round, the
 * order rotating each round, and every ratio is taken against plain Express within the same round.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child, pinToCore, startChild } from '../child.js';
import type { Context, Group } from '../context.js';
import type { LoadResult } from '../load.js';
import { measuredRow, missingRow, type Aim, type Row } from '../report.js';
import { pairedRatios, ratioSummary, rotate, summarize, type Summary } from '../stats.js';
import { exported } from '../context.js';

interface Contender {
  id: string;
  script: string;
  env?: Record<string, string>;
  /** Needs the debugpanel package */
  panel?: boolean;
  /** Needs a feature that may not have landed: a start-up failure reads "not available yet" */
  feature?: string;
}

const TOKEN = 'bench-token-not-secret';

const CONTENDERS: Contender[] = [
  { id: 'plain', script: 'servers/plain.js', env: { NODE_ENV: 'development' } },
  { id: 'debugpanel-dev', script: 'servers/debugpanel.js', env: { NODE_ENV: 'development' }, panel: true },
  { id: 'debugpanel-prod', script: 'servers/debugpanel.js', env: { NODE_ENV: 'production', DEBUGPANEL_TOKEN: TOKEN }, panel: true },
  { id: 'debugpanel-sendto', script: 'servers/debugpanel.js', env: { NODE_ENV: 'development' }, panel: true, feature: 'the sendTo option' },
  { id: 'debugpanel-nometrics', script: 'servers/debugpanel.js', env: { NODE_ENV: 'development', BENCH_PANEL_OPTIONS: '{"metrics":false}' }, panel: true, feature: 'metrics: false' },
  // The SDK path: the app's own NodeTracerProvider with debugPanelSpanProcessor(), then app.use(debugPanel()).
  { id: 'debugpanel-own-sdk', script: 'servers/debugpanel.js', env: { NODE_ENV: 'development', BENCH_OWN_SDK: '1' }, panel: true, feature: 'debugPanelSpanProcessor()' },
  { id: 'otel-sdk', script: 'servers/otel-sdk.js', env: { NODE_ENV: 'development' } },
  { id: 'status-monitor', script: 'servers/status-monitor.js', env: { NODE_ENV: 'development' } },
  // What many users pick instead: @sentry/node with tracing on (servers/sentry.ts says how nothing is sent).
  { id: 'sentry', script: 'servers/sentry.js', env: { NODE_ENV: 'development' } },
];

/**
 * `BENCH_PANEL_BEFORE=<dir>`: a copy of bench/dist whose `debugpanel` import resolves to an older
 * build (e.g. main before a change) adds `debugpanel-before`, default dev set-up like
 * `debugpanel-dev`: before and after measured in one run, each against its own plain partner
 * (bench/results/lean-span-path.md says how that copy was made).
 */
const BEFORE_DIR = process.env.BENCH_PANEL_BEFORE;
if (BEFORE_DIR !== undefined && BEFORE_DIR !== '') {
  const distDir = path.dirname(fileURLToPath(new URL('../child.js', import.meta.url)));
  CONTENDERS.splice(2, 0, {
    id: 'debugpanel-before',
    script: path.relative(distDir, path.join(BEFORE_DIR, 'servers/debugpanel.js')),
    env: { NODE_ENV: 'development' },
    panel: true,
  });
}

/**
 * `BENCH_HTTP_CONTENDERS=plain,debugpanel-dev,...` runs only those contenders (a focused before /
 * after comparison in less time on a shared machine); the others' rows say they were left out.
 */
const WANTED = process.env.BENCH_HTTP_CONTENDERS?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const wanted = (id: string): boolean => WANTED === undefined || WANTED.length === 0 || WANTED.includes(id);

/** One load run against one contender: autocannon's figures plus the server's CPU time per request. */
interface Shot extends LoadResult {
  /** Server user + system CPU time over the run divided by the requests it served, µs */
  cpuUs: number;
}

const ROUTES = ['/hello', '/work'] as const;
const THROUGHPUT_AIM: Record<(typeof ROUTES)[number], Aim> = {
  '/hello': { on: 'ratio', op: '>=', value: 0.85, text: '≥ 0.85x plain' },
  '/work': { on: 'ratio', op: '>=', value: 0.93, text: '≥ 0.93x plain' },
};
const P99_AIM: Aim = { on: 'ratio', op: '<=', value: 1.2, text: '≤ 1.2x plain' };
const VS_OTEL_AIM: Aim = { on: 'ratio', op: '>=', value: 2, text: '≥ 2x otel-sdk' };
/** CPU per request on /hello (issue 14); /work has no CPU aim, its throughput aim stands. */
const CPU_AIM: Aim = { on: 'ratio', op: '<=', value: 1.15, text: '≤ 1.15x plain' };
/** The panel's added CPU per request against the OTel SDK set-up's added CPU. */
const ADDED_CPU_AIM: Aim = { on: 'median', op: '<=', value: 0.25, text: '≤ 0.25x otel-sdk added' };
/** RSS of the default dev set-up after the flood: plain's RSS + the store's maxBytes + 48 MiB. */
const PANEL_MAX_BYTES_MIB = 64;
const FLOOD_AIM: Aim = { on: 'median', op: '<=', value: PANEL_MAX_BYTES_MIB + 48, text: `≤ plain + maxBytes + 48 MiB (${PANEL_MAX_BYTES_MIB + 48} MiB)` };

const MB = 1024 * 1024;

function describeInfo(c: Contender, info: Record<string, unknown> | undefined): string {
  if (!info) return '';
  const parts: string[] = [];
  if (typeof info.rss === 'number') parts.push(`RSS ${(info.rss / MB).toFixed(0)} MB`);
  if (c.id === 'otel-sdk') parts.push(`${String(info.spansExported)} spans exported`);
  if (c.id === 'sentry') parts.push(`${String(info.spansEnded)} spans ended, ${String(info.envelopes)} envelopes dropped`);
  if (c.panel) {
    const stats = info.stats as Record<string, unknown> | undefined;
    const stored = findNumber(stats, ['store', 'spans']) ?? findNumber(stats, ['spans']) ?? findNumber(stats, ['storedSpans']);
    if (stored !== undefined) parts.push(`${stored} spans held`);
    else if (stats && 'status' in stats) parts.push(`stats API answered ${String(stats.status)}`);
    if (c.id === 'debugpanel-prod') {
      const sampling = info.sampling as Record<string, unknown> | undefined;
      if (!sampling || 'status' in sampling) parts.push('production sampling not wired yet (no /api/sampling): records like dev');
      else parts.push(`sampling ${JSON.stringify(sampling).slice(0, 160)}`);
    }
  }
  return parts.join(' · ');
}

function findNumber(o: unknown, path: string[]): number | undefined {
  let cur: unknown = o;
  for (const k of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return typeof cur === 'number' ? cur : undefined;
}

async function run(ctx: Context): Promise<Row[]> {
  const rounds = ctx.quick ? 2 : 5;
  const seconds = ctx.quick ? 0.75 : 3;
  const warmup = ctx.quick ? 0.5 : 3;
  const connections = 50;
  const group = 'http';
  const rows: Row[] = [];

  const panelReady = (await exported('debugpanel', 'debugPanel')) !== null;
  const servers = new Map<string, { child: Child; port: number }>();
  const failed = new Map<string, string>();
  const notYet = new Map<string, string>();
  const { child: load } = await startChild('load', 'load.js');
  // Servers on core 0, the load generator on core 1: otherwise they take turns on one core and
  // the load generator's share shows up as the server's latency.
  const pinned = pinToCore(load, 1);
  const { child: sink, ready: sinkReady } = await startChild('otlp-sink', 'servers/otlp-sink.js');
  const sendTo = `http://127.0.0.1:${String(sinkReady.port)}/_debug`;
  try {
    await Promise.all(
      CONTENDERS.map(async (c) => {
        if (c.panel && !panelReady) return;
        if (!wanted(c.id)) return;
        const env = { ...c.env, ...(c.id === 'debugpanel-sendto' ? { BENCH_PANEL_OPTIONS: JSON.stringify({ sendTo }) } : {}) };
        try {
          const { child, ready } = await startChild(c.id, c.script, { env });
          if (pinned) pinToCore(child, 0);
          servers.set(c.id, { child, port: Number(ready.port) });
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          const line = (msg.split('\n').find((l) => /^\s*\w*Error: /.test(l)) ?? msg.split('\n')[0]!).trim().slice(0, 200);
          if (c.feature) notYet.set(c.id, `debugPanel() does not take ${c.feature} yet (${line})`);
          else failed.set(c.id, line);
        }
      }),
    );
    const live = CONTENDERS.filter((c) => servers.has(c.id));
    ctx.log(`http: ${live.map((c) => c.id).join(', ')}; ${rounds} rounds x ${seconds} s, ${connections} connections; ${pinned ? 'servers pinned to core 0, load to core 1' : 'not pinned (no taskset or one core)'}`);

    const shoot = async (id: string, route: string, s: number): Promise<Shot> => {
      const server = servers.get(id)!;
      // A run that served nothing (the machine stalled for the whole of a short run) has no ratio
      // to give: it is taken again, twice at most, and then fails the group with that reason.
      for (let attempt = 0; ; attempt++) {
        const before = await server.child.request<{ cpuUs: number }>({ type: 'cpu' });
        const res = await load.request<LoadResult>({ type: 'load', url: `http://127.0.0.1:${server.port}${route}`, connections, seconds: s });
        const after = await server.child.request<{ cpuUs: number }>({ type: 'cpu' });
        if (res.requests > 0) return { ...res, cpuUs: (after.cpuUs - before.cpuUs) / res.requests };
        if (attempt === 2) throw new Error(`${id} ${route}: served no request in three runs of ${s} s`);
      }
    };

    const others = live.filter((c) => c.id !== 'plain');
    const hasPlain = servers.has('plain');
    for (const route of ROUTES) {
      const results = new Map<string, Shot[]>(live.map((c) => [c.id, []]));
      // Each contender's plain partner: the plain measurement taken right next to it.
      const partner = new Map<string, Shot[]>(others.map((c) => [c.id, []]));
      for (const c of live) await shoot(c.id, route, warmup);
      for (let r = 0; r < rounds; r++) {
        // Bursts from other work on the machine last seconds, so each contender is measured right
        // next to its own plain run (plain first in even rounds, second in odd ones).
        for (const c of rotate(others, r)) {
          if (!hasPlain) {
            results.get(c.id)!.push(await shoot(c.id, route, seconds));
            continue;
          }
          const pair = r % 2 === 0 ? ['plain', c.id] : [c.id, 'plain'];
          for (const id of pair) {
            const res = await shoot(id, route, seconds);
            results.get(id)!.push(res);
            if (id === 'plain') partner.get(c.id)!.push(res);
          }
        }
      }
      const infos = new Map<string, Record<string, unknown>>();
      for (const c of live) infos.set(c.id, await servers.get(c.id)!.child.request<Record<string, unknown>>({ type: 'info' }));
      const sinkInfo = await sink.request<{ requests: number; bytes: number }>({ type: 'info' });
      ctx.log(`http ${route}: ${live.map((c) => `${c.id} ${Math.round(summarize(results.get(c.id)!.map((x) => x.rps)).median)}`).join(', ')} req/s`);

      const plain = results.get('plain');
      const otel = results.get('otel-sdk');
      // Two contenders measured at different moments compare through their own plain partners:
      // (a / plain next to a) / (b / plain next to b), round by round.
      const relative = (a: string, b: string): Summary => {
        const ra = results.get(a)!.map((x) => x.rps);
        const rb = results.get(b)!.map((x) => x.rps);
        const pa = partner.get(a);
        const pb = partner.get(b);
        if (!hasPlain || !pa || !pb) return ratioSummary(ra, rb);
        return ratioSummary(pairedRatios(ra, pa.map((x) => x.rps)), pairedRatios(rb, pb.map((x) => x.rps)));
      };
      /** Per round: what `a` adds to plain's CPU per request over what `b` adds (each against its own partner). */
      const addedCpuRatio = (a: string, b: string): Summary | undefined => {
        const ra = results.get(a);
        const rb = results.get(b);
        const pa = partner.get(a);
        const pb = partner.get(b);
        if (!ra || !rb || !pa || !pb || ra.length !== rb.length) return undefined;
        const ratios = ra.map((x, i) => (x.cpuUs - pa[i]!.cpuUs) / (rb[i]!.cpuUs - pb[i]!.cpuUs));
        return ratios.every(Number.isFinite) ? summarize(ratios) : undefined;
      };
      for (const c of CONTENDERS) {
        const name = `${route} ${c.id}`;
        const isPanel = c.panel === true;
        // The overhead aims are for debugPanel() itself; the sendTo row reports its cost as a figure.
        const aimed = isPanel && !c.feature;
        const res = results.get(c.id);
        if (!res) {
          const why = failed.get(c.id) ?? notYet.get(c.id) ?? (!wanted(c.id) ? 'left out (BENCH_HTTP_CONTENDERS)' : c.panel ? 'debugpanel does not export debugPanel() yet' : 'not started');
          const status = failed.has(c.id) ? 'failed' : 'not available yet';
          rows.push(missingRow(group, `${name} throughput`, 'req/s', aimed ? THROUGHPUT_AIM[route] : undefined, why, status));
          if (c.id !== 'plain') rows.push(missingRow(group, `${name} p99`, 'ms', aimed ? P99_AIM : undefined, why, status));
          if (isPanel && c.id !== 'debugpanel-dev' && c.id !== 'debugpanel-nometrics') rows.push(missingRow(group, `${name} vs debugpanel-dev`, 'x', undefined, why, status));
          if (isPanel) rows.push(missingRow(group, `${name} vs otel-sdk`, 'x', aimed ? VS_OTEL_AIM : undefined, why, status));
          if (c.id === 'debugpanel-nometrics') rows.push(missingRow(group, `${route} debugpanel-dev (metrics on) vs metrics off`, 'x', undefined, why, status));
          continue;
        }
        const rps = res.map((x) => x.rps);
        const p99 = res.map((x) => x.p99);
        const errors = res.reduce((n, x) => n + x.errors + x.non2xx, 0);
        const info = infos.get(c.id);
        let note = `p50 ${summarize(res.map((x) => x.p50)).median} ms · p99 ${summarize(p99).median} ms · ${describeInfo(c, info)}`;
        if (errors > 0) note += ` · ${errors} errors or non-2xx answers`;
        if (c.id === 'debugpanel-sendto') note += ` · the sink received ${sinkInfo.requests} OTLP requests (${(sinkInfo.bytes / MB).toFixed(1)} MB) so far`;
        const held = c.panel ? findNumber(info?.stats, ['store', 'spans']) : undefined;
        if (c.panel && held === 0) {
          const why = 'the panel holds no spans after the run: it recorded nothing, so its figures would flatter it';
          rows.push(missingRow(group, `${name} throughput`, 'req/s', THROUGHPUT_AIM[route], why, 'failed'));
          rows.push(missingRow(group, `${name} p99`, 'ms', P99_AIM, why, 'failed'));
          rows.push(missingRow(group, `${name} vs otel-sdk`, 'x', VS_OTEL_AIM, why, 'failed'));
          continue;
        }
        if ((c.id === 'otel-sdk' && info && info.spansExported === 0) || (c.id === 'sentry' && info && info.spansEnded === 0)) {
          rows.push(missingRow(group, `${name} throughput`, 'req/s', undefined, 'no spans were produced: the instrumentations did not patch express/http', 'failed'));
          continue;
        }
        const mate = partner.get(c.id);
        const vsPlain = plain && mate && c.id !== 'plain' ? { summary: ratioSummary(rps, mate.map((x) => x.rps)), to: 'plain' } : undefined;
        rows.push(
          measuredRow({
            group,
            name: `${name} throughput`,
            unit: 'req/s',
            value: summarize(rps),
            ...(vsPlain ? { ratio: vsPlain } : {}),
            ...(aimed && vsPlain ? { aim: THROUGHPUT_AIM[route] } : {}),
            note,
          }),
        );
        if (c.id !== 'plain' && plain && mate) {
          rows.push(
            measuredRow({
              group,
              name: `${name} p99`,
              unit: 'ms',
              value: summarize(p99),
              ratio: { summary: ratioSummary(p99, mate.map((x) => x.p99)), to: 'plain' },
              ...(aimed ? { aim: P99_AIM } : {}),
            }),
          );
        }
        const cpu = res.map((x) => x.cpuUs);
        rows.push(
          measuredRow({
            group,
            name: `${name} CPU per request`,
            unit: 'µs',
            value: summarize(cpu),
            ...(c.id !== 'plain' && mate ? { ratio: { summary: ratioSummary(cpu, mate.map((x) => x.cpuUs)), to: 'plain' } } : {}),
            ...(aimed && mate && route === '/hello' ? { aim: CPU_AIM } : {}),
            note: `server user + system CPU time / requests served${pinned ? ', server pinned to its own core' : ''}`,
          }),
        );
        if (aimed && mate) {
          for (const rival of ['otel-sdk', 'sentry', ...(c.id === 'debugpanel-dev' ? ['debugpanel-before'] : [])]) {
            const added = addedCpuRatio(c.id, rival);
            if (added === undefined) continue;
            rows.push(
              measuredRow({
                group,
                name: `${name} added CPU vs ${rival} added CPU`,
                unit: 'x',
                value: added,
                ...(rival === 'otel-sdk' && route === '/hello' ? { aim: ADDED_CPU_AIM } : {}),
                note: `per round: (${c.id} − its plain partner) / (${rival} − its plain partner), CPU per request`,
              }),
            );
          }
        }
        const dev = results.get('debugpanel-dev');
        if (c.id === 'debugpanel-nometrics' && dev) {
          rows.push(
            measuredRow({
              group,
              name: `${route} debugpanel-dev (metrics on) vs metrics off`,
              unit: 'req/s',
              value: summarize(dev.map((x) => x.rps)),
              ratio: { summary: relative('debugpanel-dev', c.id), to: 'metrics off' },
              note: 'what the golden signals cost a request',
            }),
          );
        }
        if (c.id !== 'debugpanel-dev' && c.id !== 'debugpanel-nometrics' && isPanel && dev) {
          rows.push(
            measuredRow({
              group,
              name: `${name} vs debugpanel-dev`,
              unit: 'req/s',
              value: summarize(rps),
              ratio: { summary: relative(c.id, 'debugpanel-dev'), to: 'dev' },
            }),
          );
        }
        if (isPanel) {
          if (otel) {
            rows.push(
              measuredRow({
                group,
                name: `${name} vs otel-sdk`,
                unit: 'req/s',
                value: summarize(rps),
                ratio: { summary: relative(c.id, 'otel-sdk'), to: 'otel-sdk' },
                ...(aimed ? { aim: VS_OTEL_AIM } : {}),
              }),
            );
          } else {
            rows.push(missingRow(group, `${name} vs otel-sdk`, 'x', VS_OTEL_AIM, failed.get('otel-sdk') ?? 'otel-sdk contender did not run', 'failed'));
          }
        }
      }
    }
    rows.push(await floodRow(ctx, load, pinned, panelReady, connections));
  } finally {
    await Promise.all([load.stop(), sink.stop(), ...[...servers.values()].map((s) => s.child.stop())]);
  }
  return rows;
}

/**
 * RSS after a flood: fresh plain and default dev (`app.use(debugPanel())`) servers each take
 * `/hello` at full speed for 60 s (5 s in a quick run), one after the other; the row is the
 * panel's RSS minus plain's. The panel keeps every request in dev, so its store fills to its
 * byte budget (maxBytes, 64 MiB by default) and evicts from then on: the aim allows that budget
 * plus 48 MiB for the panel's code, metrics and V8's slack.
 */
async function floodRow(ctx: Context, load: Child, pinned: boolean, panelReady: boolean, connections: number): Promise<Row> {
  const name = '/hello debugpanel-dev RSS after a flood, minus plain';
  const seconds = ctx.quick ? 5 : 60;
  if (!panelReady) return missingRow('http', name, 'MiB', FLOOD_AIM, 'debugpanel does not export debugPanel() yet');
  const rss: Record<string, number> = {};
  const heap: Record<string, string> = {};
  const served: Record<string, number> = {};
  let held: number | undefined;
  for (const c of CONTENDERS.filter((x) => x.id === 'plain' || x.id === 'debugpanel-dev')) {
    const { child, ready } = await startChild(`${c.id} (flood)`, c.script, { env: c.env ?? {} });
    try {
      if (pinned) pinToCore(child, 0);
      const res = await load.request<LoadResult>(
        { type: 'load', url: `http://127.0.0.1:${String(ready.port)}/hello`, connections, seconds },
        (seconds + 60) * 1000,
      );
      const info = await child.request<Record<string, unknown>>({ type: 'info' });
      rss[c.id] = Number(info.rss) / MB;
      heap[c.id] = `heap ${(Number(info.heapUsed) / MB).toFixed(0)} used of ${(Number(info.heapTotal) / MB).toFixed(0)}`;
      served[c.id] = res.requests;
      if (c.panel) held = findNumber(info.stats, ['store', 'spans']);
    } finally {
      await child.stop();
    }
  }
  const diff = rss['debugpanel-dev']! - rss.plain!;
  ctx.log(`http flood: plain ${rss.plain!.toFixed(0)} MiB, debugpanel-dev ${rss['debugpanel-dev']!.toFixed(0)} MiB after ${seconds} s`);
  return measuredRow({
    group: 'http',
    name,
    unit: 'MiB',
    value: summarize([diff]),
    aim: FLOOD_AIM,
    note: `${seconds} s of /hello each, fresh processes: plain ${rss.plain!.toFixed(0)} MiB (${heap.plain!}) after ${served.plain!.toLocaleString('en-US')} requests, debugpanel-dev ${rss['debugpanel-dev']!.toFixed(0)} MiB (${heap['debugpanel-dev']!}) after ${served['debugpanel-dev']!.toLocaleString('en-US')} (${String(held)} spans held)`,
  });
}

export const httpGroup: Group = {
  name: 'http',
  about: 'request overhead on Express 5 (/hello, /work) against plain Express, the OTel SDK and express-status-monitor',
  run,
};
