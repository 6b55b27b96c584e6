import { it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { replay, type Recording } from '../src/replay.test.helpers.js';

/**
 * `npm run eval:replay`: false alarms per clean hour, from clean traffic recorded on the real demo
 * (`npm run eval:demo` writes bench/recordings/clean-traffic.json.gz; `INSIGHTS_RECORDING` names
 * another file) replayed on a fake clock through the real golden signals and engine, looped to
 * 10 minutes of warm-up + 1 hour, with the options the recording ran with (`FAST_INSIGHTS`) and
 * with the defaults. Writes bench/results/insights-replay.{json,md}.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FILE = process.env.INSIGHTS_RECORDING ?? join(ROOT, 'bench', 'recordings', 'clean-traffic.json.gz');
const OUT = join(ROOT, 'bench', 'results');

it('false alarms per clean hour: recorded demo traffic replayed with a fake clock', () => {
  if (!existsSync(FILE)) throw new Error(`no recording at ${FILE}: run npm run eval:demo first (it records its clean stretch)`);
  const rec = JSON.parse(gunzipSync(readFileSync(FILE)).toString('utf8')) as Recording & {
    at: string; rate: number; options: { metrics?: Record<string, number>; insights?: Record<string, number> };
  };
  const hour = 3_600_000;
  const runs = [
    { name: `FAST_INSIGHTS (the recording's options: ${rec.options.insights?.windowSeconds} s window, ${rec.options.insights?.baselineSeconds} s baseline, ${(rec.options.insights?.warmupMs ?? 0) / 1000} s warm-up)`, insights: rec.options.insights ?? {}, metrics: rec.options.metrics ?? {} },
    { name: 'defaults (15 s window, 1 h baseline, 5 min warm-up)', insights: {}, metrics: {} },
  ];
  const rows: string[] = [];
  const json: unknown[] = [];
  for (const r of runs) {
    const t = performance.now();
    const res = replay(rec, { warmupMs: 600_000, durationMs: hour, insights: r.insights, metrics: r.metrics });
    const secs = (performance.now() - t) / 1000;
    rows.push(`| ${r.name} | ${res.incidents.length} | ${res.warmupIncidents.length} | ${res.loops} | ${res.traces} | ${secs.toFixed(1)} |`);
    json.push({ name: r.name, falseAlarms: res.incidents.length, warmupIncidents: res.warmupIncidents.length, loops: res.loops, traces: res.traces, spans: res.spans, titles: [...res.warmupIncidents, ...res.incidents].map((i) => `${new Date(i.startedAt).toISOString()} ${i.title}`), seconds: secs });
    // one line per distinct alarm of a loop (the loops repeat the same recorded minutes)
    const seen = new Set<string>();
    for (const i of [...res.warmupIncidents, ...res.incidents].filter((x) => !seen.has(x.title) && seen.add(x.title))) rows.push(`|  ↳ ${((i.startedAt - rec.from) / 60_000).toFixed(1)} min: ${i.title.replace(/\|/g, '/')} | | | | | |`);
  }
  const minutes = ((rec.to - rec.from) / 60_000).toFixed(1);
  const md = [
    `# insights: false alarms per clean hour, replayed (${new Date().toISOString()})`,
    '',
    `Recording: ${rec.spans.length} spans of ${minutes} min of clean demo traffic at ${rec.rate} req/s (${rec.at}), looped: each loop shifts the times by the recording's length and renames its traces. ` +
      'Spans enter the real golden signals and the engine in the second they end; both tick once per second on a fake clock. 10 minutes of warm-up, then one hour counted. ' +
      'Not in the replay: process signals (event-loop delay, heap), and anything the few recorded minutes did not contain.',
    '',
    '| options | false alarms in the hour | incidents in the 10 min warm-up | loops | traces | replay s |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'insights-replay.md'), md);
  writeFileSync(join(OUT, 'insights-replay.json'), JSON.stringify({ at: new Date().toISOString(), recording: { at: rec.at, spans: rec.spans.length, minutes: Number(minutes), rate: rec.rate }, runs: json }, null, 1));
  console.log(md);
}, 1_200_000);
