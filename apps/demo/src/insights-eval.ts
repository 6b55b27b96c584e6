/**
 * `npm run eval:demo`: insights on the real three-process demo. Starts the shop with short
 * insights windows (`FAST_INSIGHTS`), a light steady load, warms up, then injects each fault of
 * `scenarios()` in turn (chaos rules on the faulty service's own panel: +200 ms, 20% errors, a
 * slow statement), `--runs` times each in a shuffled order, and judges the first incident that
 * opened after the fault's start: was there one within `--detect` seconds, and does its top
 * suspect (A@1) or one of its top three (A@3) name the faulty service (and the statement, for a
 * slow SQL)? Between faults it waits until every anomaly ended and the ranking's baseline is clean
 * again. A last clean stretch counts incidents with no fault at all (false alarms).
 * Writes bench/results/insights-demo-eval.{json,md}. Slow (about a minute per fault): not in `npm test`.
 *
 * @example
 * node apps/demo/dist/insights-eval.js --runs 3 --clean 300
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { IncidentDetail, InsightsResponse } from '@debugpanel/model';
import { FAST_INSIGHTS, describeIncidents, names, panelClient, scenarios, watchIncidents, type Scenario } from './insights-scenarios.js';
import { demoToken, startShop } from './launcher.js';
import { startLoad } from './load.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '2' },
    rate: { type: 'string', default: '4' },
    detect: { type: 'string', default: '30' },
    clean: { type: 'string', default: '180' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const RATE = Number(args.rate);
const DETECT_MS = Number(args.detect) * 1000;
const CLEAN_MS = Number(args.clean) * 1000;
const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'results');

interface Result {
  scenario: string;
  service: string;
  kind: string;
  run: number;
  detected: boolean;
  /** s from the rule's start to the incident's start */
  ttiS: number | null;
  top1: string | null;
  top3: string[];
  a1: boolean;
  a3: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const label = (s: IncidentDetail['ranked'][number]) => `${s.service}${s.operation ? ` ${s.operation}` : s.attribute ? ` ${s.attribute}` : ''}`;

/** Deterministic shuffle (mulberry32), so a seed gives the same order. */
function shuffled<T>(list: T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function main(): Promise<void> {
  const token = demoToken();
  const shop = await startShop({ ports: { gateway: 0, orders: 0, inventory: 0 }, token, env: { DEMO_PANEL: JSON.stringify(FAST_INSIGHTS) } });
  const client = panelClient({ gateway: shop.gateway.url, orders: shop.orders.url, inventory: shop.inventory.url }, token);
  const load = startLoad({ target: shop.gateway.url, rate: RATE });
  const stopAll = async () => {
    await load.stop(500);
    await Promise.all(Object.values(shop).map((s) => s.stop()));
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  const results: Result[] = [];
  let falseAlarms = 0;
  let cleanMs = 0;
  try {
    console.log(`warming up (${RATE} req/s) ...`);
    await sleep(40_000);
    const all = scenarios(DETECT_MS + 15_000).filter((s) => !args.only || s.name.includes(args.only));
    const plan: Array<{ s: Scenario; run: number }> = [];
    for (let run = 1; run <= RUNS; run++) for (const s of all) plan.push({ s, run });
    for (const { s, run } of shuffled(plan, Number(args.seed))) {
      await quiet(client);
      const since = Date.now();
      await client.addRule(s.service, s.rule);
      // The first incident after the fault, judged once it had a few re-rankings (or at the deadline).
      const incidents = await watchIncidents(client, since, DETECT_MS, (list) => list.length > 0 && Date.now() - list[0]!.startedAt >= 8_000);
      await client.clearRules(s.service);
      const first = incidents[0];
      const ranked = first?.ranked ?? [];
      const r: Result = {
        scenario: s.name, service: s.service, kind: s.kind, run,
        detected: first !== undefined,
        ttiS: first ? Math.max(0, Math.round((first.startedAt - since) / 100) / 10) : null,
        top1: ranked[0] ? label(ranked[0]) : null,
        top3: ranked.slice(0, 3).map(label),
        a1: names(ranked[0], s.expect),
        a3: ranked.slice(0, 3).some((x) => names(x, s.expect)),
      };
      results.push(r);
      console.log(`${r.a1 ? 'ok ' : r.a3 ? 'a3 ' : 'MISS'} ${s.name} #${run}: ${r.detected ? `incident after ${r.ttiS} s, top ${r.top1}` : 'no incident'}`);
      if (!r.a1) console.log(describeIncidents(incidents));
    }
    // Clean traffic: every incident that opens is a false alarm.
    await quiet(client);
    console.log(`clean traffic for ${CLEAN_MS / 1000} s ...`);
    const cleanFrom = Date.now();
    await sleep(CLEAN_MS);
    cleanMs = Date.now() - cleanFrom;
    const list = await client.get<InsightsResponse>('gateway', '/api/insights?limit=500');
    const alarms = list.incidents.filter((i) => i.startedAt >= cleanFrom);
    falseAlarms = alarms.length;
    for (const a of alarms) console.log(`false alarm: ${a.title}`);
  } finally {
    await stopAll();
  }
  report(results, falseAlarms, cleanMs);
}

/** Waits until no anomaly is open and the ranking's baseline window (20 s) holds only clean traces. */
async function quiet(client: ReturnType<typeof panelClient>): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const { anomalies } = await client.get<InsightsResponse>('gateway', '/api/insights');
    if (anomalies.length === 0) break;
    await sleep(1000);
  }
  await sleep(FAST_INSIGHTS.insights.baselineTracesMs + FAST_INSIGHTS.insights.windowSeconds * 1000);
}

function report(results: Result[], falseAlarms: number, cleanMs: number): void {
  const groups = new Map<string, Result[]>();
  for (const r of results) groups.set(r.scenario, [...(groups.get(r.scenario) ?? []), r]);
  const share = (list: Result[], f: (r: Result) => boolean) => (list.length ? list.filter(f).length / list.length : 0);
  const rows = [...groups].map(([name, list]) => {
    const tti = list.filter((r) => r.ttiS !== null).map((r) => r.ttiS!);
    const t = tti.length ? `${Math.min(...tti)} / ${(tti.reduce((a, b) => a + b, 0) / tti.length).toFixed(1)} / ${Math.max(...tti)}` : '-';
    return `| ${name} | ${list.length} | ${list.filter((r) => r.detected).length} | ${share(list, (r) => r.a1).toFixed(2)} | ${share(list, (r) => r.a3).toFixed(2)} | ${t} |`;
  });
  const perHour = cleanMs > 0 ? (falseAlarms * 3_600_000) / cleanMs : 0;
  const summary = `overall A@1 ${share(results, (r) => r.a1).toFixed(2)}, A@3 ${share(results, (r) => r.a3).toFixed(2)} over ${results.length} faults; ${falseAlarms} false alarms in ${Math.round(cleanMs / 1000)} s of clean traffic (${perHour.toFixed(1)} per hour)`;
  const md = [
    `# insights on the real demo (${new Date().toISOString()})`,
    '',
    `Three processes, ${RATE} req/s, \`FAST_INSIGHTS\` windows; a fault is caught when an incident opens within ${DETECT_MS / 1000} s.`,
    '',
    '| fault | runs | detected | A@1 | A@3 | time to incident s (min/mean/max) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    summary,
    '',
    'Misses:',
    ...results.filter((r) => !r.a1).map((r) => `- ${r.scenario} #${r.run}: ${r.detected ? `top 3 ${r.top3.join('; ')}` : 'no incident'}`),
    '',
  ].join('\n');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, 'insights-demo-eval.md'), md);
  writeFileSync(path.join(OUT, 'insights-demo-eval.json'), JSON.stringify({ at: new Date().toISOString(), rate: RATE, runs: RUNS, results, falseAlarms, cleanMs }, null, 2));
  console.log(`\n${md}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
