/**
 * `npm run eval:demo`: insights on the real three-process demo. Starts the shop (`--lanes` shops
 * side by side, each with its own load, to fit the run in half an hour) with short insights
 * windows (`FAST_INSIGHTS`) and a light steady load, warms up, then injects faults in a shuffled
 * order, one at a time per shop (chaos rules on the faulty service's own panel): for each service
 * and fault kind (+200 ms, 20% errors, a slow statement; the gateway has no database) `--runs`
 * runs, half of them the fixed faults of `scenarios()` and half drawn at random by
 * `randomScenario()` (other amplitudes, one route, other statements: faults the ranking was not
 * tuned on). Each is judged on the first incident that opened after the fault's start: was there
 * one within `--detect` seconds, and does its top suspect (A@1) or one of its top three (A@3) name
 * the faulty service (and the statement, for a slow SQL)? Between faults it waits until every
 * anomaly ended and the ranking's baseline window holds only clean traces. A last clean stretch
 * counts incidents with no fault at all and records every trace of it (all spans, from the hub)
 * to `--record`, for the clean-hour replay (`npm run eval:replay`).
 * Writes bench/results/insights-demo-eval.{json,md}. Slow (about a minute per fault per shop on a
 * shared 2-core machine, so 80 faults take over an hour with 2 lanes; `--runs 4` ~25 min): not in `npm test`.
 *
 * @example
 * node apps/demo/dist/insights-eval.js --runs 10 --lanes 2 --clean 300
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { IncidentDetail, InsightsResponse, SpanRecord, TraceResponse, TracesResponse } from '@debugpanel/model';
import type { ServiceName } from './config.js';
import { FAST_INSIGHTS, describeIncidents, names, panelClient, randomScenario, scenarios, watchIncidents, type FaultKind, type PanelClient, type Scenario } from './insights-scenarios.js';
import { demoToken, startShop } from './launcher.js';
import { startLoad } from './load.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    lanes: { type: 'string', default: '2' },
    rate: { type: 'string', default: '4' },
    detect: { type: 'string', default: '30' },
    clean: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    record: { type: 'string' },
    'record-all': { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const LANES = Math.max(1, Number(args.lanes));
const RATE = Number(args.rate);
const DETECT_MS = Number(args.detect) * 1000;
const CLEAN_MS = Number(args.clean) * 1000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const OUT = path.join(ROOT, 'bench', 'results');
const RECORD = args.record ?? path.join(ROOT, 'bench', 'recordings', 'clean-traffic.json.gz');
/** `--record-all FILE`: also every trace of lane 0 from its start (warm-up, faults, clean stretch), for replays with faults */
const RECORD_ALL = args['record-all'];

interface Result {
  scenario: string;
  service: string;
  kind: string;
  random: boolean;
  lane: number;
  run: number;
  detected: boolean;
  /** s from the rule's start to the incident's opening (its anomaly's start is dated back by the ticks its rule had to hold) */
  ttiS: number | null;
  top1: string | null;
  top3: string[];
  a1: boolean;
  a3: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const label = (s: IncidentDetail['ranked'][number]) => `${s.service}${s.operation ? ` ${s.operation}` : s.attribute ? ` ${s.attribute}` : ''}`;

/** Deterministic PRNG (mulberry32), so a seed gives the same plan. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(list: T[], random: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `runs` per service and fault kind: the fixed fault on odd runs, a random one on even runs. */
function makePlan(random: () => number): Array<{ s: Scenario; run: number }> {
  const faultMs = DETECT_MS + 15_000;
  const fixed = scenarios(faultMs);
  const plan: Array<{ s: Scenario; run: number }> = [];
  for (const service of ['gateway', 'orders', 'inventory'] as ServiceName[]) {
    for (const kind of ['latency', 'errors', 'slow-sql'] as FaultKind[]) {
      const base = fixed.find((s) => s.service === service && s.kind === kind);
      if (!base) continue;
      for (let run = 1; run <= RUNS; run++) {
        const s = run % 2 === 1 ? base : randomScenario(service, kind, random, faultMs)!;
        if (!args.only || s.name.includes(args.only) || `${service} ${kind}`.includes(args.only)) plan.push({ s, run });
      }
    }
  }
  return shuffled(plan, random);
}

async function main(): Promise<void> {
  const token = demoToken();
  const random = prng(Number(args.seed));
  const plan = makePlan(random);
  const lanes = Array.from({ length: LANES }, (_, k) => plan.filter((_, i) => i % LANES === k));
  console.log(`${plan.length} faults in ${LANES} lane(s), ${RATE} req/s each`);
  const results: Result[] = [];
  const clean = { falseAlarms: 0, cleanMs: 0, titles: [] as string[], traces: 0, spans: 0 };
  await Promise.all(lanes.map((list, lane) => runLane(lane, list, token, results, lane === 0 ? clean : undefined)));
  report(results, clean);
}

async function runLane(
  lane: number, list: Array<{ s: Scenario; run: number }>, token: string, results: Result[],
  clean: { falseAlarms: number; cleanMs: number; titles: string[]; traces: number; spans: number } | undefined,
): Promise<void> {
  const shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token, env: { DEMO_PANEL: JSON.stringify(FAST_INSIGHTS) } });
  const client = panelClient({ gateway: shop.gateway.url, orders: shop.orders.url, inventory: shop.inventory.url }, token);
  const load = startLoad({ target: shop.gateway.url, rate: RATE });
  const stopAll = async () => {
    await load.stop(500);
    await Promise.all(Object.values(shop).map((s) => s.stop()));
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  const laneFrom = Date.now();
  const faults: Array<{ name: string; from: number; to: number }> = [];
  try {
    await sleep(40_000);
    let cleared = 0;
    for (const { s, run } of list) {
      await quiet(client, cleared);
      const since = Date.now();
      await client.addRule(s.service, s.rule);
      // The first incident after the fault, judged once it had a few re-rankings (or at the deadline).
      const incidents = await watchIncidents(client, since, DETECT_MS, (l) => l.length > 0 && Date.now() - l[0]!.startedAt >= 8_000);
      await client.clearRules(s.service);
      cleared = Date.now();
      faults.push({ name: s.name, from: since, to: cleared });
      const first = incidents[0];
      const ranked = first?.ranked ?? [];
      const r: Result = {
        scenario: s.name, service: s.service, kind: s.kind, random: s.random === true, lane, run,
        detected: first !== undefined,
        ttiS: first ? Math.round(((first.timeline.find((e) => e.type === 'opened')?.at ?? first.startedAt) - since) / 100) / 10 : null,
        top1: ranked[0] ? label(ranked[0]) : null,
        top3: ranked.slice(0, 3).map(label),
        a1: names(ranked[0], s.expect),
        a3: ranked.slice(0, 3).some((x) => names(x, s.expect)),
      };
      results.push(r);
      console.log(`[${lane}] ${r.a1 ? 'ok ' : r.a3 ? 'a3 ' : 'MISS'} ${s.name} #${run}: ${r.detected ? `incident after ${r.ttiS} s, top ${r.top1}` : 'no incident'} (${results.length} done)`);
      if (!r.a1) console.log(describeIncidents(incidents));
    }
    if (!clean) return;
    // Clean traffic: every incident that opens is a false alarm; every trace is recorded.
    await quiet(client, cleared);
    console.log(`[${lane}] clean traffic for ${CLEAN_MS / 1000} s, recording ...`);
    const cleanFrom = Date.now();
    await sleep(CLEAN_MS);
    clean.cleanMs = Date.now() - cleanFrom;
    const all = await client.get<InsightsResponse>('gateway', '/api/insights?limit=500');
    const alarms = all.incidents.filter((i) => i.startedAt >= cleanFrom);
    clean.falseAlarms = alarms.length;
    clean.titles = alarms.map((a) => a.title);
    // traces that started in the stretch, complete by now (their spans ended, the services' batches sent)
    await sleep(5000);
    const spans = await record(client, cleanFrom, cleanFrom + clean.cleanMs);
    clean.traces = new Set(spans.map((x) => x.traceId)).size;
    clean.spans = spans.length;
    mkdirSync(path.dirname(RECORD), { recursive: true });
    writeFileSync(RECORD, gzipSync(JSON.stringify({ at: new Date(cleanFrom).toISOString(), rate: RATE, from: cleanFrom, to: cleanFrom + clean.cleanMs, options: FAST_INSIGHTS, spans })));
    console.log(`[${lane}] recorded ${clean.traces} traces (${spans.length} spans) to ${RECORD}`);
    if (RECORD_ALL) {
      const all = await record(client, laneFrom, cleanFrom + clean.cleanMs);
      mkdirSync(path.dirname(RECORD_ALL), { recursive: true });
      writeFileSync(RECORD_ALL, gzipSync(JSON.stringify({ at: new Date(laneFrom).toISOString(), rate: RATE, from: laneFrom, to: cleanFrom + clean.cleanMs, options: FAST_INSIGHTS, faults, spans: all })));
      console.log(`[${lane}] recorded ${new Set(all.map((x) => x.traceId)).size} traces (${all.length} spans) from the lane's start, ${faults.length} fault(s), to ${RECORD_ALL}`);
    }
  } finally {
    // the hub's insights tick on the gateway's thread: its longest tick and the ticks over budget
    const stats = await client.get<{ insights?: Record<string, unknown> }>('gateway', '/api/stats').catch(() => undefined);
    const i = stats?.insights;
    if (i) console.log(`[${lane}] hub insights ticks: ${i.ticks}, last ${i.lastTickMs} ms, max ${i.maxTickMs ?? '?'} ms, over the ${i.tickBudgetMs ?? '?'} ms budget ${i.tickOverruns ?? '?'}, deferred re-ranks ${i.deferredRanks ?? '?'}, mix-explained ticks ${i.mixExplainedTicks ?? '?'}`);
    await stopAll();
  }
}

/**
 * Every span of the traces that started in [from, to), read back from the hub's store once the
 * stretch is over (reading while it runs would load the gateway's process and make the traffic
 * less clean). The store (100,000 spans, 64 MiB) holds the few minutes' traces.
 */
async function record(client: PanelClient, from: number, to: number): Promise<SpanRecord[]> {
  const seen = new Set<string>();
  const spans: SpanRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ since: String(from), until: String(to), limit: '1000' });
    if (cursor) q.set('cursor', cursor);
    const page = await client.get<TracesResponse>('gateway', `/api/traces?${q}`);
    for (const t of page.traces) {
      if (seen.has(t.traceId) || t.startTime < from || t.startTime >= to) continue;
      seen.add(t.traceId);
      const trace = await client.get<TraceResponse>('gateway', `/api/traces/${t.traceId}`).catch(() => undefined);
      if (trace) spans.push(...trace.spans);
    }
    cursor = page.nextCursor;
    if (!cursor) return spans;
  }
}

/**
 * Waits until no anomaly is open, and until the ranking's baseline window (the `baselineTracesMs`
 * before one detection window before an anomaly) can no longer reach back to the last fault.
 */
async function quiet(client: PanelClient, cleared: number): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const { anomalies } = await client.get<InsightsResponse>('gateway', '/api/insights');
    if (anomalies.length === 0) break;
    await sleep(1000);
  }
  const clear = cleared + FAST_INSIGHTS.insights.baselineTracesMs + FAST_INSIGHTS.insights.windowSeconds * 1000 + 3000;
  await sleep(Math.max(3000, clear - Date.now()));
}

function report(results: Result[], clean: { falseAlarms: number; cleanMs: number; titles: string[]; traces: number; spans: number }): void {
  const share = (list: Result[], f: (r: Result) => boolean) => (list.length ? list.filter(f).length / list.length : 0);
  const tti = (list: Result[]) => {
    const t = list.filter((r) => r.ttiS !== null).map((r) => r.ttiS!);
    return t.length ? `${Math.min(...t)} / ${(t.reduce((a, b) => a + b, 0) / t.length).toFixed(1)} / ${Math.max(...t)}` : '-';
  };
  const row = (name: string, list: Result[]) =>
    `| ${name} | ${list.length} | ${list.filter((r) => r.detected).length} | ${share(list, (r) => r.a1).toFixed(2)} | ${share(list, (r) => r.a3).toFixed(2)} | ${tti(list)} |`;
  const groups = new Map<string, Result[]>();
  for (const r of results) groups.set(`${r.service} ${r.kind}`, [...(groups.get(`${r.service} ${r.kind}`) ?? []), r]);
  const rows = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([name, list]) => row(name, list));
  const perHour = clean.cleanMs > 0 ? (clean.falseAlarms * 3_600_000) / clean.cleanMs : 0;
  const summary = `overall A@1 ${share(results, (r) => r.a1).toFixed(2)}, A@3 ${share(results, (r) => r.a3).toFixed(2)}, detected ${results.filter((r) => r.detected).length} of ${results.length} faults; ` +
    `${clean.falseAlarms} false alarms in ${Math.round(clean.cleanMs / 1000)} s of live clean traffic (${perHour.toFixed(1)} per hour; the clean-hour replay is in insights-replay.md)`;
  const md = [
    `# insights on the real demo (${new Date().toISOString()})`,
    '',
    `Three processes per shop, ${LANES} shop(s) side by side, ${RATE} req/s each, \`FAST_INSIGHTS\` windows (10 s detection window); ` +
      `a fault is caught when an incident opens within ${DETECT_MS / 1000} s. Odd runs: the fixed faults (+200 ms, 20% 503, the slow statement ` +
      'the ranking was developed on); even runs: drawn at random (120-300 ms on the service or one route, 12-30% of 500/502/503, another hot statement and delay).',
    '',
    '| service, fault kind | runs | detected | A@1 | A@3 | time to incident s (min/mean/max) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    row('fixed faults', results.filter((r) => !r.random)),
    row('random faults', results.filter((r) => r.random)),
    row('all', results),
    '',
    summary,
    '',
    'Misses (not A@1):',
    ...results.filter((r) => !r.a1).map((r) => `- ${r.scenario} #${r.run}: ${r.detected ? `top 3 ${r.top3.join('; ')}` : 'no incident'}`),
    '',
    ...clean.titles.map((t) => `false alarm: ${t}`),
  ].join('\n');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, 'insights-demo-eval.md'), md);
  writeFileSync(path.join(OUT, 'insights-demo-eval.json'), JSON.stringify({ at: new Date().toISOString(), rate: RATE, runs: RUNS, lanes: LANES, results, clean }, null, 2));
  console.log(`\n${md}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
