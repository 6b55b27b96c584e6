import { it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Shop, type ShopFault, type ShopService } from '../src/shop.test.helpers.js';

/**
 * `npm run eval`: the insights engine on the simulated three-service shop (real golden signals,
 * real critical path, fake clock): +200 ms latency and 20% errors in each service in turn and a
 * slow statement in inventory's database, 10 seeds each, after a warm-up; then 3 clean simulated
 * hours for false alarms. Writes bench/results/insights-eval.{json,md}. Not a unit test (it is not
 * in the workspace's test globs): it measures.
 */
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'results');

it('insights evaluation: faults in each service, A@1 / A@3, time to incident, false alarms per clean hour', () => {
  const rows: string[] = [];
  const results: Array<{ service: string; kind: string; seed: number; detected: boolean; ttiS: number | null; top1: string | null; top3: string[] }> = [];
  const kinds: Array<[string, (s: ShopService) => ShopFault | undefined]> = [
    ['latency+200ms', (s) => ({ service: s, latencyMs: 200 })],
    ['errors20%', (s) => ({ service: s, errorRate: 0.2 })],
    ['slowSql+150ms', (s) => (s === 'inventory' ? { service: s, slowSqlMs: 150 } : undefined)],
  ];
  for (const [kind, mk] of kinds) for (const service of ['gateway', 'orders', 'inventory'] as ShopService[]) {
    const fault = mk(service);
    if (!fault) continue;
    for (let seed = 1; seed <= 10; seed++) {
      const shop = new Shop({}, seed * 97 + service.length);
      shop.run(360 + seed * 7);
      const t0 = shop.now;
      shop.faults = [fault];
      let tti: number | null = null;
      for (let i = 0; i < 90; i++) {
        shop.run(1);
        if (tti === null && shop.engine.incidentsSince(t0 - 60_000).length) tti = (shop.now - t0) / 1000;
        if (tti !== null && shop.now - t0 >= (tti + 20) * 1000) break;
      }
      const inc = shop.engine.incidentsSince(t0 - 60_000)[0];
      const top = inc?.suspects.map((s) => s.service) ?? [];
      results.push({ service, kind, seed, detected: !!inc, ttiS: tti, top1: top[0] ?? null, top3: top.slice(0, 3) });
    }
  }
  let clean = 0;
  let hours = 0;
  for (let seed = 1; seed <= 3; seed++) {
    const shop = new Shop({}, 5000 + seed);
    shop.run(360);
    const t0 = shop.now;
    shop.run(3600);
    clean += shop.engine.incidentsSince(t0 - 600_000).length;
    hours++;
  }
  const by = new Map<string, typeof results>();
  for (const r of results) by.set(`${r.kind} ${r.service}`, [...(by.get(`${r.kind} ${r.service}`) ?? []), r]);
  for (const [k, rs] of by) {
    const a1 = rs.filter((r) => r.top1 === r.service).length / rs.length;
    const a3 = rs.filter((r) => r.top3.includes(r.service)).length / rs.length;
    const tt = rs.map((r) => r.ttiS).filter((x): x is number => x !== null);
    rows.push(`| ${k} | ${rs.length} | ${rs.filter((r) => r.detected).length} | ${a1.toFixed(2)} | ${a3.toFixed(2)} | ${tt.length ? Math.min(...tt) : '-'} / ${tt.length ? (tt.reduce((a, b) => a + b, 0) / tt.length).toFixed(1) : '-'} / ${tt.length ? Math.max(...tt) : '-'} |`);
  }
  const all = results;
  const A1 = all.filter((r) => r.top1 === r.service).length / all.length;
  const A3 = all.filter((r) => r.top3.includes(r.service)).length / all.length;
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'insights-eval.json'), JSON.stringify({ results, A1, A3, falseAlarmsPerCleanHour: clean / hours, cleanHours: hours }, null, 1));
  writeFileSync(join(OUT, 'insights-eval.md'), `| fault, service | runs | detected | A@1 | A@3 | time to incident s (min/mean/max) |\n| --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n\noverall A@1 ${A1.toFixed(2)}, A@3 ${A3.toFixed(2)}; false alarms per clean hour ${clean / hours} over ${hours} simulated hours\n`);
}, 1_200_000);
