// The insights engine's tick time on replayed demo traffic (a recording of `insights-eval.js
// --record-all`, with its faults): spans enter the real golden signals and the engine in the
// second they end, both tick once per second on a fake clock, and each engine tick's wall time is
// measured (performance.now around `tick`). Load-dependent in absolute ms: compare two engines in
// one run, alternated (`--dist` twice).
//
//   node packages/insights/eval/tick-time.mjs --recording /tmp/fault.json.gz \
//     --dist /work/wt/before/packages/insights/dist/index.js --dist packages/insights/dist/index.js --rounds 3
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { criticalPath } from '@debugpanel/flamegraph';
import { GoldenSignals } from '@debugpanel/metrics';
import { spanEnd } from '@debugpanel/model';

const { values: args } = parseArgs({
  options: {
    recording: { type: 'string' }, dist: { type: 'string', multiple: true }, rounds: { type: 'string', default: '3' },
    // looped like npm run eval:replay (times shifted by the recording's length, traces renamed): warm-up, then counted
    'warmup-s': { type: 'string', default: '0' }, list: { type: 'boolean', default: false }, 'duration-s': { type: 'string' }, defaults: { type: 'boolean', default: false },
  },
});
const rec = JSON.parse(gunzipSync(readFileSync(args.recording)).toString('utf8'));
const engines = await Promise.all((args.dist ?? ['packages/insights/dist/index.js']).map(async (d) => ({ dist: d, mod: await import(pathToFileURL(resolve(d)).href) })));

const length = Math.max(1000, Math.round((rec.to - rec.from) / 1000) * 1000);
const loopId = (id, k) => (k === 0 ? id : (k.toString(16).padStart(6, '0') + id.slice(6)).slice(0, id.length));
const shifted = (s, k) => (k === 0 ? s : { ...s, traceId: loopId(s.traceId, k), startTime: s.startTime + k * length, events: s.events.map((e) => ({ ...e, time: e.time + k * length })) });

function run(mod) {
  const spans = rec.spans.filter((s) => s.startTime >= rec.from - 60_000).sort((a, b) => spanEnd(a) - spanEnd(b));
  const t0 = Math.floor(rec.from / 1000) * 1000;
  let now = t0;
  const metrics = args.defaults ? {} : rec.options.metrics ?? {};
  const signals = new GoldenSignals({ process: false, ...metrics, now: () => now });
  const engine = new mod.InsightsEngine({
    criticalPath, ...(args.defaults ? {} : rec.options.insights), now: () => now,
    // the golden signals' reads are timed apart: the engine's own work is the rest of the tick
    source: {
      fine: (s) => { const t = performance.now(); const r = signals.queryAll(s); read += performance.now() - t; return r; },
      coarse: (seconds) => { const t = performance.now(); const r = signals.queryAll(seconds ?? metrics.coarseWindow ?? 21_600); read += performance.now() - t; return r; },
    },
  });
  let read = 0;
  const own = [];
  const ticks = [];
  let i = 0;
  let loop = 0;
  const warm = t0 + Number(args['warmup-s']) * 1000;
  const end = args['duration-s'] ? warm + Number(args['duration-s']) * 1000 : rec.to + 30_000;
  while (now < end) {
    const next = now + 1000;
    const batch = [];
    for (;;) {
      if (i >= spans.length) {
        if (!args['duration-s']) break;
        loop++;
        i = 0;
      }
      if (spanEnd(spans[i]) + loop * length >= next) break;
      batch.push(shifted(spans[i++], loop));
    }
    now = next;
    for (const s of batch) signals.record(s);
    if (batch.length) engine.addSpans(batch);
    signals.tick(now);
    read = 0;
    const t = performance.now();
    engine.tick(now);
    const ms = performance.now() - t;
    ticks.push(ms);
    own.push(ms - read);
  }
  const ownSorted = [...own].sort((a, b) => a - b);
  const oq = (p) => ownSorted[Math.min(ownSorted.length - 1, Math.ceil(p * ownSorted.length) - 1)];
  const sorted = [...ticks].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  const incidents = engine.list({ limit: 10_000 }).incidents.reverse().filter((x) => x.startedAt >= warm);
  return {
    ticks: ticks.length, median: q(0.5), p99: q(0.99), max: sorted[sorted.length - 1], over5: ticks.filter((t) => t > 5).length,
    ownMedian: oq(0.5), ownP99: oq(0.99), ownMax: ownSorted[ownSorted.length - 1], ownOver5: own.filter((t) => t > 5).length,
    stats: engine.stats(), incidents: incidents.map((x) => `${new Date(x.startedAt).toISOString().slice(11, 19)} ${x.title.slice(0, 140)}`),
  };
}

const f = (v) => v.toFixed(2);
console.log(`recording ${args.recording}: ${rec.spans.length} spans, ${((rec.to - rec.from) / 60_000).toFixed(1)} min, faults: ${(rec.faults ?? []).map((x) => `${x.name} at +${Math.round((x.from - rec.from) / 1000)} s`).join('; ')}`);
for (let r = 0; r < Number(args.rounds); r++) {
  for (const e of engines) {
    const res = run(e.mod);
    console.log(`round ${r} ${e.dist}: ${res.incidents.length} incidents after the warm-up; ${res.ticks} ticks, median ${f(res.median)} ms, p99 ${f(res.p99)} ms, max ${f(res.max)} ms, ticks > 5 ms ${res.over5}; without the signals' reads: median ${f(res.ownMedian)}, p99 ${f(res.ownP99)}, max ${f(res.ownMax)}, > 5 ms ${res.ownOver5}; ` +
      `tick stats ${JSON.stringify(Object.fromEntries(Object.entries(res.stats).filter(([k]) => /tick|overrun|deferred|budget/i.test(k))))}`);
    if (r === 0 && args.list) for (const x of res.incidents) console.log(`   ${x}`);
  }
}
