/**
 * A /hello flood against server.mjs (the default dev set-up, or plain Express with PLAIN=1), as the
 * bench's flood row runs it (server pinned to core 0, autocannon with 50 connections on core 1),
 * printing memoryUsage, heap spaces and the panel's /api/stats at the end (bench/results/flood-memory.md).
 *   node bench/scripts/heap/drive.mjs <seconds> [snapshot-file]
 * env: PLAIN=1; EXPOSE_GC=1 (also reports after 3 full GCs); OPTS='{"store":{"maxBytes":1048576}}'
 * (debugPanel options); NODE_ARGS='--trace-gc' (server flags) with CHILD_OUT=1 (its output on
 * stderr); SNAP_AT=25 SNAP_FILE=/tmp/x.heapsnapshot (a snapshot during the flood).
 * Analyse a snapshot with analyze.mjs (retained size by owner) and count.mjs (retainer paths).
 */
import { spawn, execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
const seconds = Number(process.argv[2] ?? 10);
const snap = process.argv[3];
const execArgv = [...(process.env.EXPOSE_GC === '1' ? ['--expose-gc'] : []), ...(process.env.NODE_ARGS ? process.env.NODE_ARGS.split(' ').filter(Boolean) : [])];
const child = spawn(process.execPath, [...execArgv, new URL('./server.mjs', import.meta.url).pathname], {
  env: { ...process.env, NODE_ENV: 'development', DEBUGPANEL_TOKEN: 'bench-token-not-secret' }, stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise((resolve) => {
  let buf = '';
  child.stdout.on('data', (d) => { if (process.env.CHILD_OUT) process.stderr.write(d); buf += d; const m = /"port":(\d+)/.exec(buf); if (m) resolve(Number(m[1])); });
});
child.stdout.resume();
try { execFileSync('taskset', ['-a', '-c', '-p', '0', String(child.pid)], { stdio: 'ignore' }); execFileSync('taskset', ['-a', '-c', '-p', '1', String(process.pid)], { stdio: 'ignore' }); } catch {}
const url = `http://127.0.0.1:${port}`;
const samples = [];
const timer = setInterval(async () => {
  try { const r = await (await fetch(`${url}/__mem`)).json(); samples.push({ t: samples.length * 5, rss: r.mem.rss, heapUsed: r.mem.heapUsed, heapTotal: r.mem.heapTotal, ext: r.mem.external, ab: r.mem.arrayBuffers }); } catch {}
}, 5000);
if (process.env.SNAP_AT) setTimeout(() => fetch(`${url}/__snap?file=${process.env.SNAP_FILE}`).then((r) => r.json()).then((j) => console.error('snap', j)), Number(process.env.SNAP_AT) * 1000);
const res = await autocannon({ url: `${url}/hello`, connections: 50, duration: seconds, pipelining: 1 });
clearInterval(timer);
const M = (x) => (x / 1048576).toFixed(1);
const before = await (await fetch(`${url}/__mem`)).json();
const out = { requests: res.requests.total, rps: Math.round(res.requests.average), non2xx: res.non2xx, errors: res.errors };
out.mem = Object.fromEntries(Object.entries(before.mem).map(([k, v]) => [k, M(v)]));
out.spaces = Object.fromEntries(before.spaces.map((s) => [s.name, `${M(s.used)}/${M(s.size)}`]));
if (process.env.EXPOSE_GC === '1') {
  const after = await (await fetch(`${url}/__mem?gc=1`)).json();
  out.afterGc = Object.fromEntries(Object.entries(after.mem).map(([k, v]) => [k, M(v)]));
  out.spacesAfterGc = Object.fromEntries(after.spaces.map((s) => [s.name, `${M(s.used)}/${M(s.size)}`]));
  out.stats = after.stats;
} else out.stats = before.stats;
out.samples = samples.map((s) => `${s.t}s rss ${M(s.rss)} used ${M(s.heapUsed)} total ${M(s.heapTotal)} ext ${M(s.ext)} ab ${M(s.ab)}`);
if (snap) out.snap = await (await fetch(`${url}/__snap?file=${encodeURIComponent(snap)}`)).json();
console.log(JSON.stringify(out, null, 1));
child.kill('SIGTERM');
setTimeout(() => { child.kill('SIGKILL'); process.exit(0); }, 2000).unref();
