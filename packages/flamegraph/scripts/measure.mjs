// Times the flame functions on synthetic traces (build first: npx turbo run build --filter=@debugpanel/flamegraph).
// Usage: [RUNS=15] node packages/flamegraph/scripts/measure.mjs. Prints the minimum and median of RUNS runs;
// on a shared machine read the minimum.
import { buildTraceFlame, criticalPath, mergeFlames } from '../dist/index.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const hex = (n) => n.toString(16).padStart(16, '0');
const span = (i, p, start, duration, name) => ({
  traceId: TRACE, spanId: hex(i), parentSpanId: p === undefined ? undefined : hex(p), name, kind: 'internal',
  service: `svc${i % 3}`, startTime: start, duration, status: { code: 'unset' }, attributes: {}, events: [],
});
/** A random tree: each span picks an earlier span as parent and lives inside the first half of it. */
function randomTrace(n, seed) {
  let x = seed;
  const r = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x / 0x7fffffff);
  const out = [span(1, undefined, 0, 1000, 'root')];
  for (let i = 2; i <= n; i++) {
    const p = 1 + Math.floor(r() * (i - 1));
    const ps = out[p - 1];
    out.push(span(i, p, ps.startTime + r() * ps.duration * 0.5, r() * ps.duration * 0.5, `op${i % 20}`));
  }
  return out;
}
// CPU time (user + system) as well as wall time: on a busy shared machine the wall clock also
// counts time spent waiting for a core.
function time(label, f, runs = Number(process.env.RUNS) || 15) {
  f();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const mid = runs >> 1;
  console.log(`${label.padEnd(38)} wall min ${wall[0].toFixed(2)} / median ${wall[mid].toFixed(2)} ms; cpu min ${cpu[0].toFixed(2)} / median ${cpu[mid].toFixed(2)} ms`);
}
const big = randomTrace(10_000, 7);
const traces = Array.from({ length: 1000 }, (_, k) => randomTrace(20, k + 1));
time('buildTraceFlame, 10,000 spans', () => buildTraceFlame(big));
time('criticalPath, 10,000 spans', () => criticalPath(big));
time('mergeFlames, 1,000 traces x 20 spans', () => mergeFlames(traces));
